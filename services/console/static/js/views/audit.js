// The auditor's view of a case: its timeline from the ledger (each event opens on its JSON and its proof), a slider
// that replays the case as it stood after any event, a verify button that checks the trail in the browser, and the
// trail's export.

import { api } from "../api.js";
import { h, replace, toast } from "../dom.js";
import { t, when } from "../i18n.js";
import { verifyTrail } from "../merkle.js";
import { timeline } from "./audit_timeline.js";

function pretty(value) {
  return h("pre.mono", {}, JSON.stringify(value, null, 2));
}

export function auditView({ main, session }, caseId) {
  const path = `/cases/${encodeURIComponent(caseId)}`;
  const slider = h("input", { type: "range", min: 1, max: 1, value: 1, "data-testid": "as-of" });
  const moment = h("strong", { "data-testid": "as-of-label" });
  const state = h("div", { "data-testid": "state" });
  const history = h("div", { "data-testid": "timeline" }, "…");
  const signature = h("span", { "data-testid": "signature" });
  let events = [];
  let shown = null;  // the timeline, once the ledger answered
  let checked = null;  // the last verification, for a timeline that answers after it

  const replay = async () => {
    const upTo = Number(slider.value);
    const entry = events[upTo - 1];
    if (!entry) return;
    moment.textContent = `${t("event_n")} ${upTo} ${t("of")} ${events.length} · ${when(entry.time)}`;
    shown?.upTo(upTo);
    try {
      const { data } = await api("audit", `${path}/state?sequence=${entry.sequence}`);
      if (Number(slider.value) !== upTo) return;  // the slider moved on meanwhile
      replace(state, Object.entries(data.views).map(([service, view]) => h("div.card", { "data-testid": `view-${service}` },
        h("h2", {}, service), view ? pretty(view) : h("p.muted", {}, "—"))));
    } catch (problem) {
      replace(state, h("p.bad", {}, problem.message));
    }
  };

  const verify = async () => {
    try {
      const [{ data: trail }, { data: key }] = await Promise.all([api("audit", `${path}/trail`), api("audit", "/ledger/public-key")]);
      const found = await verifyTrail(trail, key.public_key);
      checked = [found.entries, trail];
      shown?.proofs(...checked);
      signature.textContent = found.signature === null ? t("proof_pending") : t(found.signature ? "signature_ok" : "signature_bad");
      signature.className = found.signature ? "ok" : "bad";
    } catch (problem) {
      toast(problem.message);
    }
  };

  const sign = async () => {
    try {
      await api("audit", "/checkpoints", { method: "POST" });
      await verify();
    } catch (problem) {
      toast(problem.message);
    }
  };

  slider.addEventListener("input", replay);
  const canSign = session.actions.includes("audit.checkpoint.sign");
  replace(main, h("h1", {}, `${t("audit_title")} ${caseId}`),
    h("div.card", {}, h("label", {}, t("as_of"), slider), moment),
    h("div.actions", {},
      h("button", { type: "button", onclick: verify, "data-testid": "verify" }, t("verify")),
      canSign ? h("button.secondary", { type: "button", onclick: sign, "data-testid": "sign-checkpoint" }, t("sign_checkpoint")) : null,
      h("a", { href: `/api/audit${path}/trail.pdf`, download: `${caseId}-trail.pdf`, "data-testid": "export-pdf" }, t("export_pdf")),
      h("a", { href: `/api/audit${path}/trail.zip`, download: `${caseId}-trail.zip`, "data-testid": "export-zip" }, t("export_zip")),
      signature),
    h("h2", {}, t("timeline")),
    history,
    h("h2", {}, t("state_views")), state);

  api("audit", `${path}/timeline`).then(({ data }) => {
    events = data.events;
    shown = timeline(events);
    if (checked) shown.proofs(...checked);
    replace(history, shown.node);
    slider.max = String(events.length);
    slider.value = String(events.length);
    replay();
  }, (problem) => replace(state, h("p.bad", {}, `${problem.status === 404 ? t("not_found") : problem.message}`)));
}
