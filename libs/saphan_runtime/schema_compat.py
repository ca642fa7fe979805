"""Whether one JSON Schema accepts every document another accepts: the structural check behind event versioning.

`can_read(reader, writer)` understands the subset the event models produce: local `$ref`/`$defs`, `type`,
`properties`, `required`, `additionalProperties`, `enum`/`const`, `anyOf`/`oneOf` (Optional), `items`, the length,
size and range limits, `pattern` and `format`. It is conservative: what it cannot prove is readable is reported."""

from typing import Any

import jsonschema

from saphan_runtime.schema_limits import (
    Incompatibility,
    number_problems,
    size_problems,
    string_problems,
    type_problems,
    types_of,
)
from saphan_runtime.schema_refs import ANNOTATIONS, Schema, Unsure, plain, resolve

UNDERSTOOD = frozenset({"$ref", "type", "properties", "required", "additionalProperties", "enum", "const", "anyOf",
                        "oneOf", "items", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
                        "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "uniqueItems", "multipleOf"})
ALL_TYPES = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})
CLOSED_READER = "the writer may send this field, and the reader refuses unknown fields (additionalProperties false)"
__all__ = ["ANNOTATIONS", "UNDERSTOOD", "Incompatibility", "can_read"]


def can_read(reader: Schema, writer: Schema) -> list[Incompatibility]:
    """Return why a reader may refuse data valid under the writer's schema (empty: it reads all of it)."""
    return _Check(reader, writer).compare(reader, writer, "", frozenset())


class _Check:
    """One comparison: the two root schemas their `$ref`s resolve in, walked side by side."""

    def __init__(self, reader_root: Schema, writer_root: Schema) -> None:
        self.reader_root, self.writer_root = reader_root, writer_root

    def compare(self, r: Schema, w: Schema, path: str, seen: frozenset[tuple[str, str]]) -> list[Incompatibility]:
        try:
            (r, r_ref), (w, w_ref) = resolve(r, self.reader_root), resolve(w, self.writer_root)
        except Unsure as error:
            return [Incompatibility(path, str(error))]
        if (r_ref, w_ref) in seen and r_ref and w_ref:
            return []  # a recursive schema: the pair is already being compared further up
        seen = seen | {(r_ref, w_ref)}
        if w is False or r is True or plain(r, self.reader_root) == plain(w, self.writer_root):
            return []
        if r is False:
            return [Incompatibility(path, "the reader accepts nothing here")]
        w = {} if w is True else w
        assert isinstance(r, dict)
        if unknown := sorted((r.keys() | w.keys()) - ANNOTATIONS - UNDERSTOOD):
            return [Incompatibility(path, f"cannot compare {', '.join(unknown)}, and the two schemas differ")]
        if len(branches := _branches(w)) > 1:
            return [p for branch in branches for p in self.compare(r, branch, path, seen)]
        if "anyOf" in r or "oneOf" in r:
            return self._one_branch_reads(r, w, path, seen)
        return self._simple(r, w, path, seen)

    def _one_branch_reads(self, r: dict[str, Any], w: dict[str, Any], path: str,
                          seen: frozenset[tuple[str, str]]) -> list[Incompatibility]:
        if "oneOf" in r:
            return [Incompatibility(path, "the reader's oneOf is exclusive; cannot prove exactly one branch reads it")]
        found = [self.compare({**_annotations_free(r, "anyOf"), **branch} if isinstance(branch, dict) else branch,
                              w, path, seen) for branch in r["anyOf"]]
        if any(not problems for problems in found):
            return []
        return min(found, key=len)

    def _simple(self, r: dict[str, Any], w: dict[str, Any], path: str,
                seen: frozenset[tuple[str, str]]) -> list[Incompatibility]:
        values = _finite_values(w, self.writer_root)
        if values is not None:
            return [Incompatibility(path, f"the writer may send {value!r}, which the reader refuses")
                    for value in values if not _accepts(r, self.reader_root, value)]
        problems = type_problems(r, w, path)
        if "enum" in r or "const" in r:
            problems.append(Incompatibility(path, "the reader accepts only listed values; the writer is not limited "
                                                  "to them"))
        written = types_of(w) or ALL_TYPES
        if "string" in written:
            problems += string_problems(r, w, path)
        if written & {"number", "integer"}:
            problems += number_problems(r, w, path, integers=not written & {"number"})
        if "array" in written:
            problems += size_problems(r, w, path, "Items")
            if r.get("uniqueItems") and not w.get("uniqueItems"):
                problems.append(Incompatibility(path, "the reader wants unique items; the writer allows repeats"))
            problems += self.compare(r.get("items", True), w.get("items", True), f"{path}[]", seen)
        if "object" in written:
            problems += self._object_problems(r, w, path, seen)
        return problems

    def _object_problems(self, r: dict[str, Any], w: dict[str, Any], path: str,
                         seen: frozenset[tuple[str, str]]) -> list[Incompatibility]:
        r_props, w_props = r.get("properties", {}), w.get("properties", {})
        r_extra, w_extra = r.get("additionalProperties", True), w.get("additionalProperties", True)
        problems = [Incompatibility(_at(path, name), "required by the reader, but the writer "
                                    + ("may leave it out" if name in w_props else "never writes it"))
                    for name in sorted(set(r.get("required", ())) - set(w.get("required", ())))]
        for name, field in w_props.items():
            if name in r_props:
                problems += self.compare(r_props[name], field, _at(path, name), seen)
            elif r_extra is False:
                problems.append(Incompatibility(_at(path, name), CLOSED_READER))
            else:
                problems += self.compare(r_extra, field, _at(path, name), seen)
        if w_extra is False:
            return problems
        if r_extra is False:
            return [*problems, Incompatibility(path, "the writer allows fields it does not name, and the reader "
                                                     "refuses unknown fields")]
        problems += self.compare(r_extra, w_extra, _at(path, "*"), seen)
        for name in r_props.keys() - w_props.keys():
            problems += self.compare(r_props[name], w_extra, _at(path, name), seen)
        return problems


def _annotations_free(schema: dict[str, Any], *dropping: str) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in ANNOTATIONS and k not in dropping}


def _branches(schema: dict[str, Any]) -> list[Schema]:
    """Split a writer's schema into the alternatives it allows: anyOf/oneOf branches, or one per listed type."""
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            rest = _annotations_free(schema, keyword)
            return [{**rest, **branch} if isinstance(branch, dict) else branch for branch in schema[keyword]]
    if isinstance(schema.get("type"), list) and len(schema["type"]) > 1:
        return [{**schema, "type": kind} for kind in schema["type"]]
    return [schema]


def _finite_values(schema: dict[str, Any], root: Schema) -> list[Any] | None:
    """Return the values a schema allows when it lists them (enum, const), else None."""
    if "const" in schema:
        listed = [schema["const"]]
    elif "enum" in schema:
        listed = list(schema["enum"])
    else:
        return None
    return [value for value in listed if _accepts(schema, root, value)]


def _accepts(schema: dict[str, Any], root: Schema, value: Any) -> bool:
    defs = root.get("$defs", {}) if isinstance(root, dict) else {}
    return bool(jsonschema.Draft202012Validator({**schema, "$defs": defs}).is_valid(value))


def _at(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
