// The hotline operator's form: keyboard first, checked as you type by intake's own rules (POST /cases/validation,
// which names every field at fault at once: what the schema refuses and the facts that cannot be true), submitted
// with an Idempotency-Key so a double press or a retry opens one case.

import { api } from "../api.js";
import { h, replace, toast } from "../dom.js";
import { currentLanguage, label, t } from "../i18n.js";
import { form, holderOf, report } from "./intake_form.js";

const message = (error) => (currentLanguage() === "th" ? error.message_th : error.message_en) ?? error.message;

// Open every folded part around a field, so it can be seen and focused.
function unfold(node) {
  for (let part = node.closest("details"); part; part = part.parentElement.closest("details")) part.open = true;
}

// Put each error beside its field (several on one field are joined); fields the operator has not reached yet stay
// quiet until they submit. Each folded part counts the errors inside it. Return the first field at fault.
function show(node, errors, touched, everything) {
  for (const holder of node.querySelectorAll("[data-field]")) {
    holder.classList.remove("invalid");
    const box = holder.querySelector(":scope > .error");
    if (box) box.textContent = "";
  }
  const shown = [];
  for (const error of errors) {
    const holder = holderOf(node, error.field.replace(/^body\./, ""));
    if (!holder || (!everything && !touched.has(holder.dataset.field))) continue;
    const box = holder.querySelector(":scope > .error");
    if (box) box.textContent = [box.textContent, message(error)].filter(Boolean).join(" · ");
    holder.classList.add("invalid");
    shown.push(holder);
  }
  for (const part of node.querySelectorAll("details")) {
    const inside = new Set(shown.filter((holder) => part.contains(holder))).size;
    part.querySelector("summary .count").textContent = inside ? ` (${inside} ⚠)` : "";
  }
  return shown.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1))[0] ?? null;
}

function answer(data) {
  return h("div.card", {}, h("h2", {}, t("submitted")),
    h("div.row", {}, h("strong", {}, `${t("case_id")}: `), h("a", { href: `#/cases/${data.case_id}`, "data-testid": "new-case" }, data.case_id),
      h("span", { class: `pill ${data.urgency ?? ""}` }, label("urgency", data.urgency)),
      h("span", {}, label("case_status", data.status)), data.response ? h("span.muted", {}, data.response) : null));
}

export function intakeView({ main }) {
  const { node, clear } = form();
  const result = h("div", { id: "intake-result", "data-testid": "intake-result" });
  const state = () => node.querySelector("#intake-state");
  const touched = new Set();
  let key = crypto.randomUUID();
  let timer = null;
  let asked = 0;

  const validate = async (everything = false) => {
    const mine = ++asked;
    state().textContent = t("checking");
    try {
      await api("intake", "/cases/validation", { method: "POST", body: report(node) });
      if (mine !== asked) return false;  // an older answer, overtaken by the operator's typing
      show(node, [], touched, everything);
      state().textContent = t("valid");
      return true;
    } catch (problem) {
      if (mine !== asked) return false;
      const first = show(node, problem.errors, touched, everything);
      // A 422 speaks beside its fields; anything else (or an error no field answers for, on submit) speaks here.
      state().textContent = problem.status !== 422 || (everything && !first) ? problem.message : t("intake_hint");
      if (everything && first) {
        unfold(first);
        first.querySelector("input, select, textarea")?.focus();
      }
      return false;
    }
  };
  const edited = (event) => {
    for (let holder = event.target.closest("[data-field]"); holder; holder = holder.parentElement.closest("[data-field]")) {
      touched.add(holder.dataset.field);  // and the parts around it, for errors about a part as a whole
    }
    clearTimeout(timer);
    timer = setTimeout(() => validate(false), 250);
  };
  const submit = async () => {
    clearTimeout(timer);
    if (!(await validate(true))) return;
    try {
      const { data } = await api("intake", "/cases", { method: "POST", body: report(node), headers: { "Idempotency-Key": key } });
      key = crypto.randomUUID();
      replace(result, answer(data));
      toast(`${t("submitted")}: ${data.case_id}`);
      clear();
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
