// An agency's inbox, live: the referrals addressed to the unit with a countdown to each deadline, overdue ones
// marked, and the actions the referral allows now (accept, reject with a reason, complete with an outcome, …).

import { api, follow } from "../api.js";
import { h, replace, toast } from "../dom.js";
import { codes, duration, label, t, when } from "../i18n.js";

const NEEDS_REASON = new Set(["reject", "hold", "fail", "cancel"]);
const NEEDS_OUTCOME = new Set(["complete"]);

function deadline(item) {
  if (item.status === "requested") return { word: "receipt_due", at: item.receipt_due };
  if (item.status === "received") return { word: "acceptance_due", at: item.acceptance_due };
  return null;
}

function countdown(item) {
  const due = deadline(item);
  if (!due) return null;
  return h("span.countdown", { "data-due": due.at, "data-testid": `countdown-${item.referral_id}` });
}

function tick(root) {
  for (const node of root.querySelectorAll(".countdown")) {
    const left = new Date(node.dataset.due).getTime() - Date.now();
    node.classList.toggle("late", left < 0);
    node.textContent = left < 0 ? `${t("overdue")} ${duration(left)}` : `${t("due_in")} ${duration(left)}`;
  }
}

function actionForm(item, action, done) {
  const kind = NEEDS_OUTCOME.has(action) ? "outcome" : "reason";
  const choice = h("select", { name: kind, "data-testid": `${action}-${kind}` }, codes(kind).map((c) => h("option", { value: c }, label(kind, c))));
  const note = h("input", { name: "note", "data-testid": `${action}-note`, maxlength: 1000 });
  return h("form.actions", {
    onsubmit: (event) => { event.preventDefault(); done({ [kind]: choice.value, note: note.value || undefined }); },
  }, h("label", {}, t(kind), choice), h("label", {}, t("note"), note),
    h("button", { type: "submit", "data-testid": `confirm-${action}` }, t("confirm")));
}

function card(item, act) {
  const due = deadline(item);
  const late = item.overdue || (due && new Date(due.at).getTime() < Date.now());
  const extra = h("div");
  const buttons = (item.allowed_actions ?? []).map((action) => h(`button${action === "reject" || action === "fail" ? ".danger" : ""}`, {
    type: "button", "data-testid": `${action}-${item.referral_id}`,
    onclick: () => (NEEDS_REASON.has(action) || NEEDS_OUTCOME.has(action)
      ? replace(extra, actionForm(item, action, (body) => act(item, action, body)))
      : act(item, action, {})),
  }, label("action", action)));
  return h(`div.card${late ? ".overdue" : ""}`, { "data-testid": `referral-${item.referral_id}`, "data-case": item.case_id },
    h("div.row", {}, h("a", { href: `#/cases/${item.case_id}` }, h("strong", {}, item.case_id)),
      h("span", { class: `pill ${item.urgency}` }, label("urgency", item.urgency)),
      h("span", { "data-testid": `status-${item.referral_id}` }, label("referral_status", item.status)),
      late ? h("strong.bad", {}, t("overdue")) : null, countdown(item)),
    h("div.muted", {}, `${t("from_unit")} ${item.from_unit} · ${label("referral_role", item.role)} · ${when(item.requested_at)}`),
    due ? h("div.muted", {}, `${t(due.word)}: ${when(due.at)}`) : null,
    h("div.actions", {}, buttons), extra);
}

export function inboxView({ main, session }) {
  const live = h("span.pill", { "data-testid": "live-state" }, "…");
  const list = h("div", { "data-testid": "inbox" });
  replace(main, h("div.row", {}, h("h1", {}, `${t("inbox_title")} · ${session.unit_id}`), live), list);
  const act = async (item, action, body) => {
    try {
      await api("referral", `/referrals/${item.referral_id}/${action}`, { method: "POST", body, headers: { "If-Match": `"${item.version}"` } });
      toast(`${label("action", action)} · ${item.case_id}`);
    } catch (problem) {
      toast(problem.errors?.map((e) => e.message).join("; ") || problem.message);
    }
  };
  const draw = (inbox) => {
    const items = [...(inbox.items ?? [])].sort((a, b) => (deadline(a)?.at ?? "9").localeCompare(deadline(b)?.at ?? "9"));
    replace(list, items.length ? items.map((item) => card(item, act)) : h("p.muted", {}, t("nothing")));
    tick(list);
  };
  const clock = setInterval(() => tick(list), 1000);
  const stop = follow("referral", `/agencies/${encodeURIComponent(session.unit_id)}/inbox/stream`, "inbox", draw,
    (state) => { live.textContent = t(state); });
  return () => { clearInterval(clock); stop(); };
}
