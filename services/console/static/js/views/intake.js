// The hotline operator's form: keyboard first, checked as you type by intake's own rules (POST /cases/validation),
// submitted with an Idempotency-Key so a double press or a retry opens one case.

import { api } from "../api.js";
import { h, replace, toast } from "../dom.js";
import { codes, currentLanguage, label, t } from "../i18n.js";

const options = (kind, blank = false) => [blank ? h("option", { value: "" }, "—") : null,
  ...codes(kind).map((code) => h("option", { value: code }, label(kind, code)))];

function field(name, word, control) {
  control.name = name;
  control.id = `f-${name}`;
  control.dataset.testid = name;
  return h("label", { for: control.id, "data-field": name }, t(word), control, h("span.error"));
}

const input = (attributes = {}) => h("input", { autocomplete: "off", ...attributes });
const nowLocal = () => new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);

function form() {
  return h("form.card", { id: "intake-form", novalidate: true },
    h("div.grid", {},
      field("channel", "channel", h("select", {}, options("channel"))),
      field("received_at", "received_at", input({ type: "datetime-local", value: nowLocal() })),
      field("request_kind", "request_kind", h("select", {}, options("request_kind")))),
    h("fieldset", {}, h("legend", {}, t("informant")),
      h("div.grid", {},
        h("label.check", {}, input({ type: "checkbox", name: "informant.anonymous" }), t("anonymous")),
        field("informant.name", "name", input()),
        field("informant.callback_phone", "callback_phone", input({ type: "tel" })),
        field("informant.relationship_to_client", "relationship", h("select", {}, options("relationship", true))))),
    h("fieldset", {}, h("legend", {}, t("client")),
      h("div.grid", {},
        field("client.name", "name", input()),
        field("client.national_id", "national_id", input({ inputmode: "numeric", maxlength: 17 })),
        field("client.birth_date", "birth_date", input({ type: "date" })),
        field("client.estimated_age_years", "estimated_age_years", input({ type: "number", min: 0, max: 130 })),
        field("client.sex", "sex", h("select", {}, options("sex"))),
        field("perpetrator.relationship_to_client", "perpetrator", h("select", {}, options("relationship", true))))),
    h("fieldset", {}, h("legend", {}, t("location")),
      h("div.grid", {},
        field("location.province_code", "province_code", input({ inputmode: "numeric", maxlength: 2, placeholder: "10" })),
        field("location.district_code", "district_code", input({ inputmode: "numeric", maxlength: 4, placeholder: "1001" })),
        field("location.subdistrict_code", "subdistrict_code", input({ inputmode: "numeric", maxlength: 6, placeholder: "100101" })),
        field("location.address", "address", input()))),
    h("fieldset", { "data-field": "problem_types" }, h("legend", {}, t("problem_types")),
      h("div.checks", {}, codes("problem").map((code) => h("label.check", {},
        input({ type: "checkbox", name: "problem_types", value: code, "data-testid": `problem-${code}` }), label("problem", code)))),
      h("span.error")),
    h("div.grid", {},
      h("label.check", {}, input({ type: "checkbox", name: "immediate_danger", "data-testid": "immediate_danger" }), t("immediate_danger")),
      field("description", "description", h("textarea", { rows: 3 }))),
    h("div.actions", {},
      h("button", { type: "submit", "data-testid": "submit-report" }, t("submit")),
      h("span.hint", { id: "intake-state", "data-testid": "intake-state" }, t("intake_hint"))));
}

function report(node) {
  const value = (name) => node.elements[name]?.value?.trim() || undefined;
  const compact = (object) => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
  const perpetrator = value("perpetrator.relationship_to_client");
  const age = value("client.estimated_age_years");
  const received = value("received_at");
  return compact({
    channel: value("channel"), request_kind: value("request_kind"),
    received_at: received ? new Date(received).toISOString() : undefined,
    informant: compact({ anonymous: node.elements["informant.anonymous"].checked, name: value("informant.name"),
      callback_phone: value("informant.callback_phone"), relationship_to_client: value("informant.relationship_to_client") }),
    client: compact({ name: value("client.name"), national_id: value("client.national_id")?.replace(/[\s-]/g, ""),
      birth_date: value("client.birth_date"), estimated_age_years: age === undefined ? undefined : Number(age),
      sex: value("client.sex") }),
    alleged_perpetrators: perpetrator ? [{ relationship_to_client: perpetrator }] : [],
    location: compact({ province_code: value("location.province_code"), district_code: value("location.district_code"),
      subdistrict_code: value("location.subdistrict_code"), address: value("location.address") }),
    problem_types: [...node.querySelectorAll("input[name=problem_types]:checked")].map((box) => box.value),
    immediate_danger: node.elements.immediate_danger.checked,
    description: value("description") ?? "",
  });
}

// Put each error under its field; fields the operator has not reached yet stay quiet until they submit.
function show(node, errors, touched, everything) {
  for (const holder of node.querySelectorAll("[data-field]")) {
    holder.classList.remove("invalid");
    holder.querySelector(".error").textContent = "";
  }
  let first = null;
  for (const error of errors) {
    const path = error.field.replace(/^body\./, "").replace(/^alleged_perpetrators\.\d+\./, "perpetrator.");
    const holder = [...node.querySelectorAll("[data-field]")].find((f) => path === f.dataset.field
      || path.startsWith(`${f.dataset.field}.`));
    if (!holder || (!everything && !touched.has(holder.dataset.field))) continue;
    holder.classList.add("invalid");
    holder.querySelector(".error").textContent = (currentLanguage() === "th" ? error.message_th : error.message_en) ?? error.message;
    first ??= holder;
  }
  return first;
}

export function intakeView({ main }) {
  const node = form();
  const result = h("div", { id: "intake-result", "data-testid": "intake-result" });
  const state = () => node.querySelector("#intake-state");
  const touched = new Set();
  let key = crypto.randomUUID();
  let timer = null;

  const validate = async (everything = false) => {
    state().textContent = t("checking");
    try {
      await api("intake", "/cases/validation", { method: "POST", body: report(node) });
      show(node, [], touched, everything);
      state().textContent = t("valid");
      return true;
    } catch (problem) {
      const first = show(node, problem.errors, touched, everything);
      state().textContent = problem.status === 422 ? t("intake_hint") : problem.message;
      if (everything) first?.querySelector("input, select, textarea")?.focus();
      return false;
    }
  };
  const edited = (event) => {
    const holder = event.target.closest("[data-field]");
    if (holder) touched.add(holder.dataset.field);
    clearTimeout(timer);
    timer = setTimeout(() => validate(false), 250);
  };
  const submit = async () => {
    if (!(await validate(true))) return;
    try {
      const { data } = await api("intake", "/cases", { method: "POST", body: report(node), headers: { "Idempotency-Key": key } });
      key = crypto.randomUUID();
      replace(result, h("div.card", {}, h("h2", {}, t("submitted")),
        h("div.row", {}, h("strong", {}, `${t("case_id")}: `), h("a", { href: `#/cases/${data.case_id}`, "data-testid": "new-case" }, data.case_id),
          h("span", { class: `pill ${data.urgency ?? ""}` }, label("urgency", data.urgency)),
          h("span", {}, label("case_status", data.status)), data.response ? h("span.muted", {}, data.response) : null)));
      toast(`${t("submitted")}: ${data.case_id}`);
      node.reset();
      node.elements.received_at.value = nowLocal();
      touched.clear();
      node.elements.channel.focus();
    } catch (problem) {
      show(node, problem.errors, touched, true);
      state().textContent = problem.message;
    }
  };
  node.addEventListener("input", edited);
  node.addEventListener("change", edited);
  node.addEventListener("submit", (event) => { event.preventDefault(); submit(); });
  node.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); submit(); }
  });
  replace(main, h("h1", {}, t("intake_title")), node, result);
  node.elements.channel.focus();
}
