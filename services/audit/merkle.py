"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and verification over leaf hashes (0-based indices)."""

import json
from collections.abc import Callable, Mapping, Sequence
from hashlib import sha256
from hmac import compare_digest
from typing import Any, Self

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 6962 leaf hash SHA-256(0x00 || data)."""
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 6962 interior node hash SHA-256(0x01 || left || right)."""
    return sha256(b"\x01" + left + right).digest()


def _mth(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    """Return MTH(leaves[start:end]) level by level, promoting an odd last node unchanged."""
    if end <= start:
        return EMPTY_ROOT
    level: Sequence[bytes] = leaves[start:end]
    while len(level) > 1:
        pairs = iter(level)
        odd = [level[-1]] if len(level) & 1 else []
        level = [sha256(b"\x01" + left + right).digest() for left, right in zip(pairs, pairs, strict=False)] + odd
    return level[0]


def root(leaves: Sequence[bytes]) -> bytes:
    """Return the Merkle tree hash MTH(D[n]) of the leaf hashes (EMPTY_ROOT when empty)."""
    return _mth(leaves, 0, len(leaves))


Node = Callable[[int, int], bytes]  # (level, index) -> the hash of that perfect subtree


def leaves_as_nodes(leaves: Sequence[bytes]) -> Node:
    """Return a node lookup that hashes perfect subtrees from the leaf hashes themselves."""
    return lambda level, index: _mth(leaves, index << level, (index + 1) << level)


def subtree_hash(start: int, end: int, node: Node) -> bytes:
    """Return MTH(D[start:end]) from perfect-subtree nodes, split as RFC 6962 splits (start aligned to the split)."""
    width = end - start
    if width <= 0:
        return EMPTY_ROOT
    if width & (width - 1) == 0 and start % width == 0:
        level = width.bit_length() - 1
        return node(level, start >> level)
    k = 1 << ((width - 1).bit_length() - 1)  # largest power of two below the width
    return node_hash(subtree_hash(start, start + k, node), subtree_hash(start + k, end, node))


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """Return PATH(index, D[n]) (RFC 6962 §2.1.1), siblings ordered from the leaf up."""
    return inclusion_path(index, len(leaves), leaves_as_nodes(leaves))


def inclusion_path(index: int, size: int, node: Node) -> list[bytes]:
    """Return PATH(index, D[size]) from perfect-subtree nodes."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} out of range for tree size {size}")
    start, end, path = 0, size, []
    while end - start > 1:
        mid = start + (1 << ((end - start - 1).bit_length() - 1))  # largest power of two below the width
        if index < mid:
            path.append(subtree_hash(mid, end, node))
            end = mid
        else:
            path.append(subtree_hash(start, mid, node))
            start = mid
    path.reverse()
    return path


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """Return PROOF(first, D[n]) (RFC 6962 §2.1.2); empty when first equals n."""
    return consistency_path(first, len(leaves), leaves_as_nodes(leaves))


def consistency_path(first: int, size: int, node: Node) -> list[bytes]:
    """Return PROOF(first, D[size]) from perfect-subtree nodes."""
    m, n = first, size
    if not 0 < m <= n:
        raise ValueError(f"first size {first} out of range for tree size {n}")
    start, whole_old_tree, path = 0, True, []
    while m != n:
        k = 1 << ((n - 1).bit_length() - 1)
        if m <= k:
            path.append(subtree_hash(start + k, start + n, node))
            n = k
        else:
            path.append(subtree_hash(start, start + k, node))
            start, m, n, whole_old_tree = start + k, m - k, n - k, False
    if not whole_old_tree:
        path.append(subtree_hash(start, start + n, node))
    path.reverse()
    return path


def nodes_needed(compute: Callable[[Node], object]) -> set[tuple[int, int]]:
    """Return the (level, index) nodes a computation reads, by running it on placeholder hashes."""
    seen: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        seen.add((level, index))
        return EMPTY_ROOT

    compute(record)
    return seen


def _well_formed(hashes: Sequence[bytes]) -> bool:
    """Return whether every item is a 32-byte digest."""
    return all(isinstance(h, bytes) and len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """Verify an inclusion proof for a leaf hash per RFC 9162 §2.1.3.2."""
    if not 0 <= index < size or not _well_formed([leaf, root, *proof]):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and compare_digest(r, root)


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """Verify a consistency proof between tree sizes first and second per RFC 9162 §2.1.4.2."""
    if not 0 < first <= second or not _well_formed([first_root, second_root, *proof]):
        return False
    if first == second:
        return not proof and compare_digest(first_root, second_root)
    if not proof:
        return False
    path = [first_root, *proof] if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and compare_digest(fr, first_root) and compare_digest(sr, second_root)


class Frontier:
    """Compact state of an append-only tree: the roots of its perfect subtrees, largest first."""

    def __init__(self) -> None:
        """Start an empty tree."""
        self._size, self._nodes = 0, list[bytes]()

    @property
    def size(self) -> int:
        """Return the number of leaves appended so far."""
        return self._size

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Append one leaf hash, merging equal-sized perfect subtrees; return the subtrees it completed
        (level >= 1, index, hash), which proofs read instead of rehashing the leaves."""
        if not _well_formed([leaf_hash]):
            raise ValueError("a leaf hash must be 32 bytes")
        node, n, level, completed = leaf_hash, self._size, 0, []
        while n & 1:
            node = node_hash(self._nodes.pop(), node)
            n, level = n >> 1, level + 1
            completed.append((level, n, node))
        self._nodes.append(node)
        self._size += 1
        return completed

    def root(self) -> bytes:
        """Return the current tree hash, folding the subtree roots from the right."""
        if not self._nodes:
            return EMPTY_ROOT
        r = self._nodes[-1]
        for node in reversed(self._nodes[:-1]):
            r = node_hash(node, r)
        return r

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict: the size and the subtree roots as hex strings."""
        return {"size": self._size, "nodes": [node.hex() for node in self._nodes]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str) -> Self:
        """Rebuild a frontier from to_json() output (or its JSON text), checking its shape."""
        obj = json.loads(data) if isinstance(data, str) else data
        size, nodes = (obj.get("size"), obj.get("nodes")) if isinstance(obj, Mapping) else (None, None)
        if type(size) is not int or size < 0 or not isinstance(nodes, list) or len(nodes) != size.bit_count():
            raise ValueError("a frontier needs a non-negative size and one node per set bit of it")
        try:
            decoded = [bytes.fromhex(node) for node in nodes]
        except (TypeError, ValueError) as exc:
            raise ValueError("frontier nodes must be hex strings") from exc
        if not _well_formed(decoded):
            raise ValueError("frontier nodes must be 32-byte hashes")
        frontier = cls()
        frontier._size, frontier._nodes = size, decoded
        return frontier
