// One case as everyone with access sees it: status, stage, lead agency and referrals pushed live by referral; the
// intake record (fields the role may not see are withheld by intake) and the documents.

import { api, follow } from "../api.js";
import { h, replace, toast } from "../dom.js";
import { currentLanguage, label, t, when } from "../i18n.js";

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

// Each version links to its content; documents lets through only a unit that holds it or has it shared, and
// records the download as an access event.
function documentsCard(caseId, file, types) {
  const named = (code) => (types[code] ? types[code][currentLanguage() === "th" ? "th" : "en"] : code);
  const versions = file.documents ?? [];
  if (!versions.length) return h("p.muted", {}, t("nothing"));
  const content = (v) => `/api/documents/cases/${encodeURIComponent(caseId)}/documents/${v.document_id}/content?version=${v.version}`;
  return h("table", { "data-testid": "documents" }, h("thead", {}, h("tr", {}, ["document_type", "version", "uploaded_by", "time", "proof"].map((w) => h("th", {}, t(w))))),
    h("tbody", {}, versions.map((v) => h("tr", {}, h("td", {}, h("a", { href: content(v), download: true }, named(v.document_type))),
      h("td", {}, v.version), h("td", {}, v.uploaded_by_unit), h("td", {}, when(v.uploaded_at)),
      h("td.mono", { title: v.sha256 }, `SHA-256 ${v.sha256.slice(0, 16)}…`)))));
}

// Upload a document to the case: documents sniffs, hashes and encrypts it, and refuses a type the unit may not hold.
function uploadForm(caseId, catalogue, uploaded) {
  const type = h("select", { name: "document_type", "data-testid": "document-type" });
  const file = h("input", { type: "file", name: "file", required: true, "data-testid": "document-file" });
  catalogue.then((types) => replace(type, Object.entries(types)
    .map(([code, names]) => h("option", { value: code }, currentLanguage() === "th" ? names.th : names.en))));
  return h("form.actions", {
    onsubmit: async (event) => {
      event.preventDefault();
      const body = new FormData(event.target);
      try {
        await api("documents", `/cases/${encodeURIComponent(caseId)}/documents`, { method: "POST", body });
        event.target.reset();
        uploaded();
      } catch (problem) {
        toast(problem.errors?.map((e) => e.message).join("; ") || problem.message);
      }
    },
  }, h("label", {}, t("document_type"), type), h("label", {}, t("file"), file),
    h("button", { type: "submit", "data-testid": "upload" }, t("upload")));
}

export function caseView({ main, session }, caseId) {
  const live = h("span.pill", { "data-testid": "live-state" }, "…");
  const status = h("div.card", { "data-testid": "case-status" }, t("not_routed"));
  const record = h("div.card", {}, "…");
  const documents = h("div.card", {}, "…");
  const catalogue = api("documents", "/document-types").then(({ data }) => data.types, () => ({}));
  const upload = session.actions.includes("documents.document.upload")
    ? uploadForm(caseId, catalogue, () => refreshDocuments()) : null;
  replace(main, h("div.row", {}, h("h1", {}, `${t("case_title")} ${caseId}`), live,
    h("a", { href: `#/audit/${encodeURIComponent(caseId)}` }, t("nav_audit"))),
  status, h("h2", {}, t("intake_record")), record, h("h2", {}, t("documents")), documents, upload);
  const path = `/cases/${encodeURIComponent(caseId)}`;
  const refreshDocuments = () => Promise.all([api("documents", `${path}/documents`), catalogue])
    .then(([{ data }, types]) => replace(documents, documentsCard(caseId, data, types)), (p) => replace(documents, failure(p)));
  api("intake", path).then(({ data }) => replace(record, recordCard(data)), (p) => replace(record, failure(p)));
  refreshDocuments();
  return follow("referral", `${path}/status/stream`, "status", (data) => {
    replace(status, data ? statusCard(data) : t("not_routed"));
    refreshDocuments();
  }, (state) => { live.textContent = t(state); });
}
