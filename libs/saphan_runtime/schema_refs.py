"""Reading a JSON Schema for the compatibility check: following local `$ref`s, and its assertions alone (references
inlined, annotations dropped) so that two schemas can be compared for equality."""

from typing import Any

Schema = dict[str, Any] | bool
ANNOTATIONS = frozenset({"title", "description", "default", "examples", "$comment", "deprecated", "readOnly",
                         "writeOnly", "$schema", "$id", "$defs", "definitions"})


class Unsure(Exception):
    """The checker cannot analyse a schema (a reference it cannot resolve); the answer is then: incompatible."""


def resolve(schema: Schema, root: Schema) -> tuple[Schema, str]:
    """Follow `$ref`s (keeping annotation siblings); return the schema and the last reference followed."""
    followed: list[str] = []
    while isinstance(schema, dict) and "$ref" in schema:
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        if set(siblings) - ANNOTATIONS:
            raise Unsure(f"$ref {schema['$ref']} has assertions beside it ({', '.join(sorted(siblings))})")
        if schema["$ref"] in followed:
            raise Unsure(f"$ref {schema['$ref']} refers to itself")
        followed.append(schema["$ref"])
        schema = {**lookup(root, followed[-1]), **siblings}
    return schema, followed[-1] if followed else ""


def lookup(root: Schema, ref: str) -> Any:
    """Return what a local reference (`#/...`, a JSON pointer into the root) points at."""
    if not ref.startswith("#"):
        raise Unsure(f"cannot follow the non-local $ref {ref}")
    node: Any = root
    for part in (p.replace("~1", "/").replace("~0", "~") for p in ref[1:].split("/") if p):
        if not isinstance(node, dict) or part not in node:
            raise Unsure(f"$ref {ref} points nowhere")
        node = node[part]
    return node


def plain(schema: Schema, root: Schema, depth: int = 0) -> Any:
    """Return a schema with its references inlined and its annotations dropped (to compare two for equality)."""
    if depth > 50:
        return {"$deep": object()}  # recursive: equal to nothing, so compared keyword by keyword instead
    if isinstance(schema, list):
        return [plain(item, root, depth + 1) for item in schema]
    if not isinstance(schema, dict):
        return schema
    try:
        resolved, _ = resolve(schema, root)
    except Unsure:
        return {"$unresolved": id(schema)}
    if not isinstance(resolved, dict):
        return resolved
    return {k: v if k in ("enum", "const", "required") else _plain_children(k, v, root, depth)
            for k, v in resolved.items() if k not in ANNOTATIONS}


def _plain_children(key: str, value: Any, root: Schema, depth: int) -> Any:
    if key == "properties":
        return {name: plain(field, root, depth + 1) for name, field in value.items()}
    return plain(value, root, depth + 1)
