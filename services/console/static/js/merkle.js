// Checking the legal trail in the browser, as verify_trail.py does offline: each leaf is SHA-256(0x00 || record),
// its RFC 6962 audit path must lead to the checkpoint's root, and the checkpoint must carry a valid Ed25519 signature.

const encoder = new TextEncoder();

const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (text) => new Uint8Array(text.match(/../g).map((pair) => parseInt(pair, 16)));
const base64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function sha256(...parts) {
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) { joined.set(part, at); at += part.length; }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
}

export const leafHash = (record) => sha256(new Uint8Array([0]), encoder.encode(record));
const nodeHash = (left, right) => sha256(new Uint8Array([1]), left, right);

// RFC 9162 section 2.1.3.2: the root an inclusion proof leads to, or null when the proof is malformed.
export async function rootFromPath(leaf, index, size, path) {
  if (index < 0 || index >= size) return null;
  let [fn, sn, r] = [index, size - 1, leaf];
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

async function signatureHolds(publicKey, note, signature) {
  try {
    const key = await crypto.subtle.importKey("raw", base64(publicKey), { name: "Ed25519" }, false, ["verify"]);
    return await crypto.subtle.verify({ name: "Ed25519" }, key, base64(signature), encoder.encode(note));
  } catch {
    return false;
  }
}

// Return {signature: true|false|null, entries: Map(sequence -> "ok" | "bad" | "pending")}.
export async function verifyTrail(trail, publicKey) {
  const entries = new Map((trail.pending ?? []).map((p) => [p.sequence, "pending"]));
  const checkpoint = trail.checkpoint;
  if (!checkpoint) return { signature: null, entries };
  const lines = checkpoint.note.split("\n");
  const signature = lines[1] === String(checkpoint.tree_size) && lines[2] === checkpoint.root_hash
    && await signatureHolds(publicKey, checkpoint.note, checkpoint.signature);
  for (const entry of trail.entries) {
    const leaf = await leafHash(entry.record);
    const root = hex(leaf) === entry.leaf_hash
      ? await rootFromPath(leaf, entry.sequence - 1, checkpoint.tree_size, entry.audit_path.map(unhex)) : null;
    entries.set(entry.sequence, signature && root && hex(root) === checkpoint.root_hash ? "ok" : "bad");
  }
  return { signature, entries };
}
