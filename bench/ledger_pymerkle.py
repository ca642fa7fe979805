"""Baseline: pymerkle, an RFC 6962 Merkle tree library, on its SQLite store (SqliteTree: one `leaf` table of entry
and hash) and in memory (InmemoryTree: every node an object). Its entries are the ledger's stored records, so the
bytes hashed per leaf are the same as audit's. pymerkle has no store of events, no signed checkpoints and no
per-entry checks: its nearest equivalent of a full verification is recomputing the root from the stored leaf hashes
on a cold start (`get_root`), optionally after re-hashing every stored entry against its stored hash."""

import itertools
import random
import sqlite3
import time
from typing import Any

from pymerkle import InmemoryTree, SqliteTree, verify_inclusion

from bench.ledger_records import RecordMaker

CHUNK = 100_000  # entries per append_entries call (each one transaction)


def open_sqlite_tree(path: str) -> Any:
    """Open (or create) a SqliteTree, committing as audit does on SQLite (WAL, synchronous=NORMAL)."""
    tree = SqliteTree(path)
    tree.cur.execute("PRAGMA journal_mode=WAL")
    tree.cur.execute("PRAGMA synchronous=NORMAL")
    return tree


def new_inmemory_tree() -> Any:
    """Return an empty InmemoryTree."""
    return InmemoryTree()


def ingest(tree: Any, maker: RecordMaker, count: int) -> dict[str, Any]:
    """Append `count` records one by one (`append_entry`: on SQLite each its own transaction)."""
    records = [maker.row().record.encode() for _ in range(count)]
    started = time.perf_counter()
    for record in records:
        tree.append_entry(record)
    elapsed = time.perf_counter() - started
    return {"events": count, "seconds": round(elapsed, 3), "events_per_s": round(count / elapsed, 1)}


def record_pool(maker: RecordMaker, count: int = 4096) -> list[bytes]:
    """Return distinct stored records to append over and over (pymerkle hashes whatever bytes it is given)."""
    return [maker.row().record.encode() for _ in range(count)]


def fill(tree: Any, pool: list[bytes], size: int, *, bulk: bool) -> dict[str, Any]:
    """Grow a tree to `size` leaves (`append_entries` in chunks, or `append_entry` one by one); return the rate."""
    before = tree.get_size()
    entries = itertools.islice(itertools.cycle(pool), size - before)
    started = time.perf_counter()
    if bulk:
        while chunk := list(itertools.islice(entries, CHUNK)):
            tree.append_entries(chunk)
    else:
        for entry in entries:
            tree.append_entry(entry)
    elapsed = time.perf_counter() - started
    added = tree.get_size() - before
    return {"appended": added, "seconds": round(elapsed, 3), "events_per_s": round(added / elapsed, 1) if added else 0}


def prove(tree: Any, size: int, seconds: float, *, check: bool = True, seed: int = 9162) -> dict[str, Any]:
    """Time the first inclusion proof (caches empty) and check it against the root (unless told not to: that root
    costs a pass over every leaf), then make proofs of random leaves for some seconds (at least one)."""
    rng = random.Random(seed)
    index = rng.randrange(size) + 1
    started = time.perf_counter()
    first = tree.prove_inclusion(index, size)
    first_ms = (time.perf_counter() - started) * 1000
    if check:
        verify_inclusion(tree.get_leaf(index), tree.get_root(size), first)  # raises if it does not verify
    count, started = 0, time.perf_counter()
    while count < 1 or time.perf_counter() - started < seconds:
        tree.prove_inclusion(rng.randrange(size) + 1, size)
        count += 1
    elapsed = time.perf_counter() - started
    return {"tree_size": size, "first_proof_ms": round(first_ms, 3), "proofs": count, "seconds": round(elapsed, 3),
            "proofs_per_s": round(count / elapsed, 1), "path_length": len(first.path)}


def verify(path: str, size: int) -> dict[str, Any]:
    """Recompute the root of the first `size` leaves on a cold start; then re-hash every stored entry as well."""
    tree = open_sqlite_tree(path)
    try:
        started = time.perf_counter()
        tree.get_root(size)
        root_s = time.perf_counter() - started
        started = time.perf_counter()
        bad = _rehash(tree, path, size)
        rehash_s = time.perf_counter() - started
    finally:
        tree.close()
    if bad:
        raise RuntimeError(f"pymerkle: {bad} stored entries do not match their hashes")
    return {"events": size, "root_seconds": round(root_s, 3), "root_events_per_s": round(size / root_s, 1),
            "rehash_seconds": round(rehash_s, 3),
            "root_and_rehash_events_per_s": round(size / (root_s + rehash_s), 1)}


def _rehash(tree: Any, path: str, size: int) -> int:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT entry, hash FROM leaf WHERE id <= ? ORDER BY id", (size,))
        return sum(tree.hash_buff(entry) != digest for entry, digest in rows)
    finally:
        connection.close()
