// The ledger's timeline of a case: one row per event, each a <details> that opens (click, Enter or Space) on the
// event as the ledger holds it (pretty JSON, read-only) and its proof: where it sits in the Merkle tree, and whether
// the browser's check of its inclusion in the signed checkpoint held.

import { h, replace } from "../dom.js";
import { t, when } from "../i18n.js";

const COLUMNS = ["sequence", "time", "event", "source", "proof"];
const PROOF_WORDS = { ok: "proof_ok", bad: "proof_bad", pending: "proof_pending" };
const proofClass = (proof) => (proof === "ok" ? "ok" : proof === "bad" ? "bad" : "muted");

function facts(pairs) {
  return h("dl.facts", {}, pairs.filter(([, value]) => value !== undefined && value !== null)
    .map(([word, value]) => [h("dt", {}, t(word)), h("dd", { class: typeof value === "string" && value.length > 40 ? "mono" : null }, value)]));
}

// What the check found for one event, and the proof it checked.
function proofFacts(proof, entry, checkpoint) {
  const status = h("p", { class: proofClass(proof) }, t(PROOF_WORDS[proof] ?? "proof_unknown"),
    proof ? null : h("span.muted", {}, ` · ${t("verify_first")}`));
  if (!entry || !checkpoint) return status;
  return [status, facts([["leaf_index", String(entry.leaf_index)], ["leaf_hash", entry.leaf_hash],
    ["audit_path", `${entry.audit_path.length} ${t("nodes")}`], ["checkpoint", `${t("tree_size")} ${checkpoint.tree_size} · ${when(checkpoint.signed_at)}`],
    ["root_hash", checkpoint.root_hash]])];
}

function row(entry) {
  const proof = h("span", { class: "muted", "data-testid": `proof-${entry.sequence}` }, t("proof_unknown"));
  const proofBody = h("div", { "data-testid": `event-proof-${entry.sequence}` }, proofFacts(null));
  const node = h("details.event", { "data-testid": `event-${entry.sequence}` },
    h("summary", {}, h("span", {}, entry.sequence), h("span", {}, when(entry.time)),
      h("span", {}, entry.type.replace(/^saphan\./, "")), h("span", {}, entry.source), proof),
    h("div.event-body", {},
      h("h3", {}, t("proof")), proofBody,
      h("h3", {}, t("recorded")),
      facts([["recorded_at", when(entry.recorded_at)], ["position", `${entry.topic} · ${entry.partition} · ${entry.offset}`],
        ["event_id", entry.event_id]]),
      h("h3", {}, t("event_json")),
      h("pre.json", { tabindex: 0, "aria-label": t("event_json"), "data-testid": `event-json-${entry.sequence}` },
        JSON.stringify(entry.event, null, 2))));
  return { node, proof, proofBody };
}

// Return the timeline's element and how to repaint it: `upTo(n)` dims the events after the n-th; `proofs(found,
// trail)` shows the result of a verification (found: sequence -> ok | bad | pending) and the trail's proofs.
export function timeline(events) {
  const rows = new Map(events.map((entry) => [entry.sequence, row(entry)]));
  const node = h("div.timeline", {},
    h("div.timeline-head", { "aria-hidden": "true" }, COLUMNS.map((word) => h("span", {}, t(word)))),
    [...rows.values()].map((r) => r.node));
  const upTo = (count) => events.forEach((entry, index) => rows.get(entry.sequence).node.classList.toggle("later", index + 1 > count));
  const proofs = (found, trail) => {
    const proven = new Map((trail?.entries ?? []).map((entry) => [entry.sequence, entry]));
    for (const [sequence, r] of rows) {
      const proof = found.get(sequence);
      r.proof.textContent = t(PROOF_WORDS[proof] ?? "proof_unknown");
      r.proof.className = proofClass(proof);
      replace(r.proofBody, proofFacts(proof, proven.get(sequence), trail?.checkpoint));
    }
  };
  return { node, upTo, proofs };
}
