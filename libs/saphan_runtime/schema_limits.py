"""The leaf comparisons of the compatibility check: types, lengths and sizes, numeric ranges, patterns and formats.
Each returns where and why data the writer allows may be refused by the reader."""

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Incompatibility:
    """A place (a field path) where data the writer allows may be refused by the reader, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path or '(the whole event)'}: {self.reason}"


def types_of(schema: dict[str, Any]) -> frozenset[str]:
    """Return the JSON types a schema names (empty: it names none, so any)."""
    kind = schema.get("type")
    return frozenset([kind] if isinstance(kind, str) else kind or ())


def type_problems(r: dict[str, Any], w: dict[str, Any], path: str) -> list[Incompatibility]:
    """Check the reader accepts every type the writer may send (an integer is a number)."""
    readable = types_of(r)
    if not readable:
        return []
    written = types_of(w)
    if not written:
        return [Incompatibility(path, f"the reader accepts only {_names(readable)}; the writer allows any type")]
    refused = {kind for kind in written if kind not in readable and not (kind == "integer" and "number" in readable)}
    if refused:
        return [Incompatibility(path, f"the writer may send {_names(refused)}; the reader accepts only "
                                      f"{_names(readable)}")]
    return []


def string_problems(r: dict[str, Any], w: dict[str, Any], path: str) -> list[Incompatibility]:
    """Check a string's lengths, and that the reader's pattern and format are the writer's (no regex algebra)."""
    problems = size_problems(r, w, path, "Length")
    for keyword in ("pattern", "format"):
        if keyword in r and r[keyword] != w.get(keyword):
            problems.append(Incompatibility(path, f"the reader wants {keyword} {r[keyword]!r}; the writer's is "
                                                  f"{w.get(keyword)!r}"))
    return problems


def size_problems(r: dict[str, Any], w: dict[str, Any], path: str, what: str) -> list[Incompatibility]:
    """Check the writer's min/max `what` (Length, Items) lie within the reader's."""
    problems = []
    if r.get(f"min{what}", 0) > w.get(f"min{what}", 0):
        problems.append(Incompatibility(path, f"the reader's min{what} {r[f'min{what}']} is above the writer's "
                                              f"{w.get(f'min{what}', 0)}"))
    if f"max{what}" in r and w.get(f"max{what}", math.inf) > r[f"max{what}"]:
        problems.append(Incompatibility(path, f"the writer's max{what} {w.get(f'max{what}', 'unlimited')} is above "
                                              f"the reader's {r[f'max{what}']}"))
    return problems


def number_problems(r: dict[str, Any], w: dict[str, Any], path: str, *, integers: bool) -> list[Incompatibility]:
    """Check the writer's range lies within the reader's (for whole numbers only, > 2 and >= 3 are the same)."""
    problems = []
    for side, sign in (("minimum", 1), ("maximum", -1)):
        readers, writers = _bound(r, side, sign, integers), _bound(w, side, sign, integers)
        if readers is not None and (writers is None or writers < readers):
            problems.append(Incompatibility(path, f"the writer's {side} {_shown(writers, sign)} is outside the "
                                                  f"reader's {_shown(readers, sign)}"))
    if "multipleOf" in r and (w.get("multipleOf") is None or w["multipleOf"] % r["multipleOf"]):
        problems.append(Incompatibility(path, f"the reader wants multiples of {r['multipleOf']}"))
    return problems


def _bound(schema: dict[str, Any], side: str, sign: int, integers: bool) -> tuple[float, int] | None:
    """Return a lower (sign 1) or upper (-1) bound as a sortable pair, tighter bounds larger; None when unbounded."""
    exclusive = "exclusiveMinimum" if sign == 1 else "exclusiveMaximum"
    found = [(sign * schema[side], 0)] if side in schema else []
    found += [(sign * schema[exclusive], 1)] if exclusive in schema else []
    if not found:
        return None
    value, strict = max(found)
    if integers:  # for whole numbers, x > 2 is x >= 3 and x >= 2.5 is x >= 3
        return (float(math.floor(value) + 1 if strict else math.ceil(value)), 0)
    return (value, strict)


def _shown(bound: tuple[float, int] | None, sign: int) -> str:
    if bound is None:
        return "(none)"
    value = sign * bound[0]
    return f"{'exclusive ' if bound[1] else ''}{int(value) if value == int(value) else value}"


def _names(types: frozenset[str] | set[str]) -> str:
    return " or ".join(sorted(types))
