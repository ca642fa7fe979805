// The report form of the intake view and the report it reads back: the fast path in view (channel, client, place,
// problems, what happened, alleged perpetrators), the rest of an IntakeReport folded in <details>.

import { h } from "../dom.js";
import { check, compact, field, input, more, pick } from "../fields.js";
import { codes, label, t } from "../i18n.js";
import { locationPickers } from "../places.js";
import { GROUPS, clearPeople, nationalId, number, peopleFieldset, readPeople, rowPath } from "./intake_people.js";

const nowLocal = () => new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);

const clientPart = () => h("fieldset", { "data-field": "client" }, h("legend", {}, t("client")),
  h("div.grid", {},
    field("client.name", "name", input()),
    field("client.sex", "sex", pick("sex")),
    field("client.estimated_age_years", "estimated_age_years", input({ type: "number", min: 0, max: 130 }))),
  more("client_more", h("div.grid", {},
    field("client.national_id", "national_id", input({ inputmode: "numeric", maxlength: 17 })),
    field("client.birth_date", "birth_date", input({ type: "date" })),
    field("client.nationality", "nationality", input({ list: "nationalities", maxlength: 2, placeholder: "TH" })),
    field("client.disability", "disability", h("select", {}, h("option", { value: "" }, t("not_stated")),
      h("option", { value: "yes" }, t("yes")), h("option", { value: "no" }, t("no")))),
    field("client.disability_note", "disability_note", input({ maxlength: 500 }))),
  h("datalist", { id: "nationalities" }, codes("nationality").map((code) => h("option", { value: code }, label("nationality", code))))),
  h("span.error"));

const locationPart = (places) => h("fieldset", { "data-field": "location" }, h("legend", {}, t("location")),
  h("div.grid", {},
    field("location.province_code", "province", places.province),
    field("location.district_code", "district", places.district),
    field("location.subdistrict_code", "subdistrict", places.subdistrict),
    field("location.address", "address", input({ maxlength: 500 }))),
  h("span.error"));

const problemsPart = () => h("fieldset", { "data-field": "problem_types" }, h("legend", {}, t("problem_types")),
  h("div.checks", {}, codes("problem").map((code) => h("label.check", {},
    input({ type: "checkbox", name: "problem_types", value: code, "data-testid": `problem-${code}` }), label("problem", code)))),
  h("span.error"));

const informantPart = () => more("informant", h("fieldset", { "data-field": "informant" }, h("div.grid", {},
  check("informant.anonymous", "anonymous"),
  field("informant.name", "name", input()),
  field("informant.callback_phone", "callback_phone", input({ type: "tel" })),
  field("informant.relationship_to_client", "relationship", pick("relationship", "not_stated")),
  field("informant.agency", "agency", input({ maxlength: 200 }))), h("span.error")));

// What an untouched form says: received now, the client's sex not known, consent not yet asked.
function defaults(node) {
  node.elements.received_at.value = nowLocal();
  node.elements["client.sex"].value = "unknown";
  node.elements.consent.value = "not_yet_asked";
}

// Return the form and `clear`, which empties it for the next report.
export function form() {
  const places = locationPickers();
  const node = h("form.card", { id: "intake-form", novalidate: true },
    h("div.grid", {},
      field("channel", "channel", pick("channel")),
      field("received_at", "received_at", input({ type: "datetime-local" })),
      field("request_kind", "request_kind", pick("request_kind"))),
    clientPart(), locationPart(places), problemsPart(),
    h("div.grid", {}, check("immediate_danger", "immediate_danger"), field("description", "description", h("textarea", { rows: 3 }))),
    peopleFieldset("alleged_perpetrators"),
    informantPart(),
    more("family", peopleFieldset("guardians"), peopleFieldset("household_members")),
    more("call_and_consent", h("div.grid", {},
      field("duty_shift", "duty_shift", pick("duty_shift", "duty_shift_auto")), field("consent", "consent", pick("consent")))),
    h("div.actions", {},
      h("button", { type: "submit", "data-testid": "submit-report" }, t("submit")),
      h("span.hint", { id: "intake-state", "data-testid": "intake-state" }, t("intake_hint"))));
  const clear = () => {
    node.reset();
    places.clear();
    clearPeople(node);
    for (const part of node.querySelectorAll("details")) part.open = false;
    defaults(node);
  };
  defaults(node);
  return { node, clear };
}

export function report(node) {
  const value = (name) => node.elements[name]?.value?.trim() || undefined;
  const disability = value("client.disability");
  const received = value("received_at");
  return compact({
    channel: value("channel"), request_kind: value("request_kind"), duty_shift: value("duty_shift"),
    received_at: received ? new Date(received).toISOString() : undefined,
    informant: compact({ anonymous: node.elements["informant.anonymous"].checked, name: value("informant.name"),
      callback_phone: value("informant.callback_phone"), relationship_to_client: value("informant.relationship_to_client"),
      agency: value("informant.agency") }),
    client: compact({ name: value("client.name"), national_id: nationalId(value("client.national_id")),
      birth_date: value("client.birth_date"), estimated_age_years: number(value("client.estimated_age_years")),
      sex: value("client.sex"), nationality: value("client.nationality")?.toUpperCase(),
      disability: disability === undefined ? undefined : disability === "yes", disability_note: value("client.disability_note") }),
    ...Object.fromEntries(GROUPS.map((group) => [group, readPeople(node, group, value)])),
    location: compact({ province_code: value("location.province_code"), district_code: value("location.district_code"),
      subdistrict_code: value("location.subdistrict_code"), address: value("location.address") }),
    problem_types: [...node.querySelectorAll("input[name=problem_types]:checked")].map((box) => box.value),
    immediate_danger: node.elements.immediate_danger.checked,
    description: value("description") ?? "",
    consent: value("consent"),
  });
}

// Find where an error's path (without `body.`) belongs: the most specific field or part that answers for it.
export function holderOf(node, path) {
  const at = rowPath(node, path);
  const matching = [...node.querySelectorAll("[data-field]")]
    .filter((f) => at === f.dataset.field || at.startsWith(`${f.dataset.field}.`));
  return matching.sort((a, b) => b.dataset.field.length - a.dataset.field.length)[0] ?? null;
}
