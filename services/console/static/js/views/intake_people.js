// The people around the client in a report (guardians, alleged perpetrators, household members): rows added and
// removed from the keyboard, read back without the rows left empty, and found again by the place they were sent at.

import { h } from "../dom.js";
import { compact, field, input, pick } from "../fields.js";
import { t } from "../i18n.js";

const ROW = { guardians: "guardian", alleged_perpetrators: "perpetrator", household_members: "household_member" };
export const GROUPS = Object.keys(ROW);

export const nationalId = (text) => text?.replace(/[\s-]/g, "");
export const number = (text) => (text === undefined ? undefined : Number(text));

function personRow(group, index) {
  const at = `${group}.${index}`;
  return h("fieldset.person", {},
    h("legend", {}, `${t(ROW[group])} ${index + 1}`),
    h("div.grid", {},
      field(`${at}.name`, "name", input()),
      field(`${at}.relationship_to_client`, "relationship", pick("relationship", "not_stated")),
      field(`${at}.national_id`, "national_id", input({ inputmode: "numeric", maxlength: 17 })),
      field(`${at}.phone`, "phone", input({ type: "tel" })),
      field(`${at}.age_years`, "age_years", input({ type: "number", min: 0, max: 130 })),
      h("button.secondary.remove", { type: "button", "data-remove": group, "data-testid": `remove-${at}`,
        "aria-label": `${t("remove")}: ${t(ROW[group])} ${index + 1}` }, t("remove"))));
}

// Rename a group's rows after one is removed, so names and error paths follow the rows' places.
function renumber(rows, group) {
  [...rows.children].forEach((row, index) => {
    row.querySelector("legend").textContent = `${t(ROW[group])} ${index + 1}`;
    row.querySelector("[data-remove]").setAttribute("aria-label", `${t("remove")}: ${t(ROW[group])} ${index + 1}`);
    for (const node of row.querySelectorAll("[name], [id], [for], [data-field], [data-testid]")) {
      for (const name of ["name", "id", "for", "data-field", "data-testid"]) {
        const value = node.getAttribute(name);
        if (value) node.setAttribute(name, value.replace(new RegExp(`${group}\\.\\d+`), `${group}.${index}`));
      }
    }
  });
}

// A group of people: its rows, and the button that adds one (focus goes to the new row's first field; removing a
// row moves it to the next row, or back to the button).
export function peopleFieldset(group) {
  const rows = h("div", { "data-group": group });
  const add = h("button.secondary", { type: "button", "data-testid": `add-${group}` }, t(`add_${ROW[group]}`));
  add.addEventListener("click", () => {
    rows.append(personRow(group, rows.children.length));
    rows.lastElementChild.querySelector("input").focus();
  });
  rows.addEventListener("click", (event) => {
    const row = event.target.closest("[data-remove]")?.closest("fieldset");
    if (!row) return;
    const next = row.nextElementSibling ?? row.previousElementSibling;
    row.remove();
    renumber(rows, group);
    (next?.querySelector("input") ?? add).focus();
    rows.dispatchEvent(new Event("change", { bubbles: true }));  // check the report again without the row
  });
  return h("fieldset", { "data-field": group }, h("legend", {}, t(group)), rows, h("span.error"), add);
}

// Read a group's rows with `value(name)`; rows left empty are not sent, and each row notes the place it was sent at
// (data-sent), so an error about `guardians.1` finds its row.
export function readPeople(node, group, value) {
  let sent = 0;
  return [...node.querySelector(`[data-group="${group}"]`).children].flatMap((row, index) => {
    const at = `${group}.${index}`;
    const person = compact({ name: value(`${at}.name`), relationship_to_client: value(`${at}.relationship_to_client`),
      national_id: nationalId(value(`${at}.national_id`)), phone: value(`${at}.phone`), age_years: number(value(`${at}.age_years`)) });
    const kept = Object.keys(person).length > 0;
    row.dataset.sent = kept ? String(sent++) : "";
    return kept ? [person] : [];
  });
}

// Turn an error's path about the n-th person sent (`guardians.1.national_id`) into the path of that person's row.
export function rowPath(node, path) {
  const found = path.match(/^([a-z_]+)\.(\d+)(\..*)?$/);
  if (!found || !GROUPS.includes(found[1])) return path;
  const rows = node.querySelector(`[data-group="${found[1]}"]`);
  const row = rows.querySelector(`:scope > [data-sent="${found[2]}"]`);
  return row ? `${found[1]}.${[...rows.children].indexOf(row)}${found[3] ?? ""}` : found[1];
}

// Empty every group of its rows.
export function clearPeople(node) {
  for (const rows of node.querySelectorAll("[data-group]")) rows.replaceChildren();
}
