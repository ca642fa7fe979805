// The pieces forms are made of: a labelled field with its error box beside it (data-field names the report's path
// it answers for), a check box, a select of coded values, and a folded part that counts the errors inside it.

import { h } from "./dom.js";
import { codes, label, t } from "./i18n.js";

export const input = (attributes = {}) => h("input", { autocomplete: "off", ...attributes });

const options = (kind, blank = null) => [blank ? h("option", { value: "" }, t(blank)) : null,
  ...codes(kind).map((code) => h("option", { value: code }, label(kind, code)))];

// A <select> of the codes of a kind, named in the page's language; `blank` is the word of an empty first choice.
export const pick = (kind, blank = null) => h("select", {}, options(kind, blank));

export function field(name, word, control) {
  control.name = name;
  control.id = `f-${name}`;
  control.dataset.testid = name;
  return h("label", { for: control.id, "data-field": name }, t(word), control, h("span.error"));
}

export const check = (name, word) => h("label.check", { "data-field": name },
  input({ type: "checkbox", name, id: `f-${name}`, "data-testid": name }), t(word), h("span.error"));

// A folded part of a form (<details>, opened by click, Enter or Space on its summary); the summary's count says how
// many errors are shown inside it.
export const more = (word, ...children) => h("details", { "data-testid": `more-${word}` },
  h("summary", {}, t(word), h("span.count")), ...children);

// The object without its undefined members (a field left empty is not sent).
export const compact = (object) => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
