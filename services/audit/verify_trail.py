"""Check a Saphan legal trail offline: python3 verify_trail.py trail.json [--public-key BASE64]

Needs Python 3.9+ and the `cryptography` package, nothing of Saphan. For every entry: the leaf hash is
SHA-256(0x00 || record); the record holds the event shown; the RFC 6962 audit path leads from the leaf to the
checkpoint's root (RFC 9162 section 2.1.3.2). The checkpoint names that size and root and is signed with Ed25519
by the public key. Exits 0 when everything holds, 1 naming the first thing that does not."""

import argparse
import base64
import hashlib
import json
import sys
from typing import Any


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 6962 interior node hash."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_path(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes:
    """Return the root an inclusion proof leads to, or b'' when the proof is malformed."""
    if not 0 <= index < size:
        return b""
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return b""
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else b""


def canonical(value: object) -> str:
    """Return JSON with sorted keys and no spaces, to compare two copies of an event."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def check_signature(public_key: str, note: str, signature: str) -> bool:
    """Return whether the note was signed by the key (Ed25519)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(base64.b64decode(signature),
                                                                               note.encode())
        return True
    except (InvalidSignature, ValueError):
        return False


def problems(trail: dict[str, Any], public_key: str) -> list[str]:
    """Return what does not hold, first problem first (empty when the trail verifies)."""
    checkpoint = trail.get("checkpoint")
    if not checkpoint:
        return ["no signed checkpoint covers this trail yet"]
    size, root = int(checkpoint["tree_size"]), checkpoint["root_hash"]
    lines = checkpoint["note"].split("\n")
    if lines[1:3] != [str(size), root]:
        return ["the checkpoint note does not name its size and root"]
    if not check_signature(public_key, checkpoint["note"], checkpoint["signature"]):
        return ["the checkpoint is not signed by this public key"]
    found = []
    for entry in trail["entries"]:
        sequence, record = entry["sequence"], entry["record"]
        leaf = hashlib.sha256(b"\x00" + record.encode("utf-8")).digest()
        if leaf.hex() != entry["leaf_hash"]:
            found.append(f"sequence {sequence}: the record does not match its leaf hash")
        elif canonical(json.loads(record)["data"]["event"]) != canonical(entry["event"]):
            found.append(f"sequence {sequence}: the event shown differs from the recorded one")
        elif root_from_path(leaf, sequence - 1, size, [bytes.fromhex(h) for h in entry["audit_path"]]).hex() != root:
            found.append(f"sequence {sequence}: the inclusion proof does not lead to the checkpoint's root")
    return found


def main() -> int:
    """Verify the trail named on the command line and say so in Thai and English."""
    parser = argparse.ArgumentParser(description="Verify a Saphan legal trail offline")
    parser.add_argument("trail")
    parser.add_argument("--public-key", help="the audit service's key, base64 (default: the one in the trail)")
    args = parser.parse_args()
    with open(args.trail, encoding="utf-8") as handle:
        trail = json.load(handle)
    key = args.public_key or trail["public_key"]["public_key"]
    found = problems(trail, key)
    for problem in found:
        print(f"FAILED / ไม่ผ่าน: {problem}")
    if found:
        return 1
    checkpoint = trail["checkpoint"]
    print(f"OK / ผ่าน: {len(trail['entries'])} events of case {trail['case_id']} are in the ledger of "
          f"{checkpoint['tree_size']} entries whose root {checkpoint['root_hash']} was signed at "
          f"{checkpoint['signed_at']} by key {trail['public_key']['key_id']}")
    if trail.get("pending"):
        print(f"{len(trail['pending'])} later events are not yet covered by a checkpoint / "
              "มีเหตุการณ์ที่ยังไม่อยู่ในจุดตรวจ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
