// One case as everyone with access sees it: status, stage, lead agency and referrals pushed live by referral; the
// intake record (fields the role may not see are withheld by intake) and the documents.

import { api, follow } from "../api.js";
import { h, replace } from "../dom.js";
import { label, t, when } from "../i18n.js";

export function findView(kind) {
  return ({ main }) => {
    const box = h("input", { name: "case_id", required: true, placeholder: "case-…", "data-testid": "find-case" });
    replace(main, h("h1", {}, t(kind === "audit" ? "audit_title" : "nav_case")),
      h("form.card.row", { onsubmit: (event) => { event.preventDefault(); location.hash = `#/${kind}/${encodeURIComponent(box.value.trim())}`; } },
        h("label", {}, t("case_id"), box), h("button", { type: "submit" }, t("find"))));
    box.focus();
  };
}

function failure(problem) {
  const word = problem.status === 403 ? "forbidden" : problem.status === 404 ? "not_found" : "error";
  return h("p.muted", {}, `${t(word)} (${problem.status ?? ""})`);
}

function statusCard(status) {
  return h("div", {},
    h("div.grid", {},
      h("div", {}, h("div.muted", {}, t("stage")), h("strong", { "data-testid": "case-stage" }, label("stage", status.stage))),
      h("div", {}, h("div.muted", {}, t("lead_unit")), h("strong", { "data-testid": "lead-unit" }, status.lead_unit)),
      h("div", {}, h("div.muted", {}, t("urgency")), h("span", { class: `pill ${status.urgency}` }, label("urgency", status.urgency))),
      h("div", {}, h("div.muted", {}, t("manager")), status.manager ?? "—")),
    h("h2", {}, t("referrals")),
    h("table", {}, h("thead", {}, h("tr", {}, ["", "referral_role", "status", "receipt_due", "acceptance_due"].map((w) => h("th", {}, w ? t(w) : t("unit"))))),
      h("tbody", {}, (status.referrals ?? []).map((r) => h("tr", { "data-testid": `case-referral-${r.to_unit}` },
        h("td", {}, r.to_unit), h("td", {}, label("referral_role", r.role)),
        h("td", { "data-testid": `case-referral-status-${r.to_unit}` }, label("referral_status", r.status), r.overdue ? h("strong.bad", {}, ` · ${t("overdue")}`) : null),
        h("td", {}, when(r.receipt_due)), h("td", {}, when(r.acceptance_due)))))));
}

function recordCard(record) {
  const hidden = new Set(record.hidden_fields ?? []);
  const show = (name, value) => (hidden.has(name) ? h("span.muted", {}, t("hidden")) : (value ?? "—"));
  const rows = [
    ["status", label("case_status", record.status)], ["channel", label("channel", record.channel)],
    ["received_at", when(record.received_at)], ["problem_types", (record.problem_types ?? []).map((p) => label("problem", p)).join(", ")],
    ["client", show("client_name", record.client_name)], ["national_id", show("client_national_id", record.client_national_id)],
    ["sex", label("sex", record.client_sex)], ["location", [record.province_code, record.district_code, record.subdistrict_code].filter(Boolean).join(" / ")],
    ["informant", show("informant_name", record.informant_name)], ["callback_phone", show("informant_phone", record.informant_phone)],
  ];
  return h("table", { "data-testid": "intake-record" }, h("tbody", {}, rows.map(([word, value]) => h("tr", {}, h("th", {}, t(word)), h("td", {}, value)))));
}

function documentsCard(file) {
  const versions = file.documents ?? [];
  if (!versions.length) return h("p.muted", {}, t("nothing"));
  return h("table", { "data-testid": "documents" }, h("thead", {}, h("tr", {}, ["document_type", "version", "uploaded_by", "time", "proof"].map((w) => h("th", {}, t(w))))),
    h("tbody", {}, versions.map((v) => h("tr", {}, h("td", {}, v.document_type), h("td", {}, v.version), h("td", {}, v.uploaded_by_unit),
      h("td", {}, when(v.uploaded_at)), h("td.mono", {}, v.sha256.slice(0, 16) + "…")))));
}

export function caseView({ main }, caseId) {
  const live = h("span.pill", { "data-testid": "live-state" }, "…");
  const status = h("div.card", { "data-testid": "case-status" }, t("not_routed"));
  const record = h("div.card", {}, "…");
  const documents = h("div.card", {}, "…");
  replace(main, h("div.row", {}, h("h1", {}, `${t("case_title")} ${caseId}`), live,
    h("a", { href: `#/audit/${encodeURIComponent(caseId)}` }, t("nav_audit"))),
  status, h("h2", {}, t("intake_record")), record, h("h2", {}, t("documents")), documents);
  const path = `/cases/${encodeURIComponent(caseId)}`;
  const refreshDocuments = () => api("documents", `${path}/documents`)
    .then(({ data }) => replace(documents, documentsCard(data)), (p) => replace(documents, failure(p)));
  api("intake", path).then(({ data }) => replace(record, recordCard(data)), (p) => replace(record, failure(p)));
  refreshDocuments();
  return follow("referral", `${path}/status/stream`, "status", (data) => {
    replace(status, data ? statusCard(data) : t("not_routed"));
    refreshDocuments();
  }, (state) => { live.textContent = t(state); });
}
