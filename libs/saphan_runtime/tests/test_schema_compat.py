"""The schema compatibility checker: which changes to an event model old consumers (closed models) and the replay of
stored events can follow, table by table, and a property: what it calls readable, the reader does read."""

from enum import StrEnum
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, create_model

from saphan_runtime.schema_compat import ANNOTATIONS, UNDERSTOOD, can_read
from saphan_runtime.schemas import versioned_schemas

CLOSED = ConfigDict(extra="forbid", frozen=True)


class Urgency(StrEnum):
    CRISIS = "crisis"
    URGENT = "urgent"


class WiderUrgency(StrEnum):
    CRISIS = "crisis"
    URGENT = "urgent"
    NORMAL = "normal"


class Place(BaseModel):
    model_config = CLOSED
    province_code: str = Field(pattern=r"^[0-9]{2}$")
    district_code: str | None = Field(default=None, pattern=r"^[0-9]{4}$")


class OtherPlace(BaseModel):
    model_config = CLOSED
    province_code: str = Field(pattern=r"^[0-9]{2}$")
    district_code: str | None = Field(default=None, pattern=r"^[0-9]{4,6}$")


class Reported(BaseModel):
    """The model every case below starts from (revision 1)."""

    model_config = CLOSED
    case_id: str = Field(min_length=1, max_length=64)
    urgency: WiderUrgency
    age: int | None = Field(default=None, ge=0, le=130)
    place: Place
    note: str | None = Field(default=None, max_length=500)


def changed(**fields: Any) -> type[BaseModel]:
    """Return revision 2 of `Reported`: its fields with some replaced (a value None drops the field)."""
    kept: dict[str, Any] = {name: (field.annotation, field) for name, field in Reported.model_fields.items()}
    for name, value in fields.items():
        if value is None:
            kept.pop(name)
        else:
            kept[name] = value
    model: type[BaseModel] = create_model("Reported", __config__=CLOSED, **kept)
    return model


def both_ways(old: type[BaseModel], new: type[BaseModel]) -> dict[str, list[str]]:
    """Return the problems of a revision: replay (new reads old) and old consumers (old reads new)."""
    old_schema, new_schema = old.model_json_schema(), new.model_json_schema()
    return {"replay": [str(p) for p in can_read(reader=new_schema, writer=old_schema)],
            "old consumers": [str(p) for p in can_read(reader=old_schema, writer=new_schema)]}


CHANGES: dict[str, tuple[dict[str, Any], list[str], str]] = {
    # name: (revision 2's fields, the direction that breaks (None: compatible), a words the problem must contain)
    "adding an optional field breaks old closed consumers": (
        {"purpose": (str | None, Field(default=None))}, ["old consumers"], "purpose: the writer may send this field"),
    "adding a required field breaks replay (and old consumers)": (
        {"purpose": (str, Field())}, ["replay", "old consumers"], "purpose: required by the reader"),
    "removing an optional field breaks replay": ({"note": None}, ["replay"], "note: the writer may send this field"),
    "removing a required field breaks both": ({"case_id": None}, ["replay", "old consumers"], "case_id"),
    "narrowing an enum breaks replay": (
        {"urgency": (Urgency, Field())}, ["replay"], "urgency: the writer may send 'normal'"),
    "widening a field's type breaks old consumers": (
        {"age": (int | str | None, Field(default=None))}, ["old consumers"], "age: the writer may send string"),
    "changing a type breaks both": ({"case_id": (int, Field())}, ["replay", "old consumers"], "case_id"),
    "raising max_length breaks old consumers": (
        {"note": (str | None, Field(default=None, max_length=1000))}, ["old consumers"], "maxLength 1000"),
    "lowering max_length breaks replay": (
        {"note": (str | None, Field(default=None, max_length=100))}, ["replay"], "maxLength 500"),
    "tightening a minimum breaks replay": (
        {"age": (int | None, Field(default=None, ge=1, le=130))}, ["replay"], "age: the writer's minimum 0"),
    "making an optional field required breaks replay": (
        {"note": (str, Field(max_length=500))}, ["replay"], "note: required by the reader"),
    "changing a nested model's pattern names the nested field": (
        {"place": (OtherPlace, Field())}, ["replay", "old consumers"], "place.district_code: the reader wants pattern"),
    "a description-only change is compatible": (
        {"note": (str | None, Field(default=None, max_length=500, description="why, in a few words"))}, [], ""),
    "an equivalent bound is compatible (integers: > -1 is >= 0)": (
        {"age": (int | None, Field(default=None, gt=-1, lt=131))}, [], ""),
}


@pytest.mark.parametrize("name", CHANGES)
def test_a_change_is_compatible_only_when_both_directions_read(name: str) -> None:
    fields, breaking, words = CHANGES[name]
    problems = both_ways(Reported, changed(**fields))
    assert [direction for direction, found in problems.items() if found] == breaking, problems
    assert not words or any(words in problem for found in problems.values() for problem in found), problems


READABLE = [
    ({"type": "number"}, {"type": "integer"}),
    ({"type": "integer", "minimum": 1}, {"type": "integer", "exclusiveMinimum": 0}),
    ({"type": "string", "enum": ["a", "b"]}, {"const": "a"}),
    ({}, {"type": "object", "additionalProperties": True}),
    ({"type": "string"}, {"type": "string", "format": "date-time"}),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, {"type": ["string", "null"]}),
    ({"type": "array", "items": {"type": "string"}}, {"type": "array", "items": {"enum": ["x"]}, "maxItems": 2}),
    ({"type": "object", "properties": {"a": {"type": "string"}}},
     {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False}),
]
UNREADABLE = [
    ({"type": "integer"}, {"type": "number"}, "the writer may send number"),
    ({"type": "number", "exclusiveMinimum": 0}, {"type": "number", "minimum": 0}, "minimum 0 is outside"),
    ({"type": "string", "format": "date-time"}, {"type": "string"}, "format"),
    ({"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^ab"}, "pattern"),
    ({"type": "string", "enum": ["a"]}, {"type": "string"}, "only listed values"),
    ({"type": "object", "additionalProperties": False}, {"type": "object"}, "fields it does not name"),
    ({"type": "object", "properties": {"a": {"type": "string"}}}, {"type": "object"}, "a: the reader accepts only"),
    ({"type": "array", "uniqueItems": True}, {"type": "array"}, "unique"),
    ({"type": "object", "minProperties": 1}, {"type": "object"}, "cannot compare minProperties"),
    ({"$ref": "other.json#/x"}, {"type": "string"}, "non-local"),
    ({"$ref": "#"}, {"type": "string"}, "refers to itself"),
    ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, {"type": "string", "maxLength": 2}, "oneOf"),
    ({"type": "array", "maxItems": 3}, {"type": "array"}, "maxItems unlimited"),
]


@pytest.mark.parametrize(("reader", "writer"), READABLE)
def test_a_reader_at_least_as_wide_reads_the_writer(reader: dict[str, Any], writer: dict[str, Any]) -> None:
    assert can_read(reader, writer) == []


@pytest.mark.parametrize(("reader", "writer", "words"), UNREADABLE)
def test_what_the_reader_may_refuse_is_reported_with_its_reason(reader: dict[str, Any], writer: dict[str, Any],
                                                                words: str) -> None:
    problems = can_read(reader, writer)
    assert problems and any(words in str(problem) for problem in problems), problems


def test_a_recursive_schema_reads_itself() -> None:
    tree: dict[str, Any] = {"$defs": {"Node": {"type": "object", "properties": {"children": {"type": "array", "items": {
        "$ref": "#/$defs/Node"}}}, "additionalProperties": False}}, "$ref": "#/$defs/Node"}
    wider = {**tree, "$defs": {"Node": {**tree["$defs"]["Node"], "additionalProperties": True}}}
    assert can_read(tree, tree) == [] and can_read(wider, tree) == []
    assert can_read(tree, wider) != []


def keywords(schema: Any) -> set[str]:
    """Return every keyword a schema uses at any depth (property and definition names are not keywords)."""
    if isinstance(schema, list):
        return {keyword for item in schema for keyword in keywords(item)}
    if not isinstance(schema, dict):
        return set()
    found = set(schema)
    for key, value in schema.items():
        if key in ("properties", "$defs"):
            found |= keywords(list(value.values()))
        elif key not in ("enum", "const", "default", "examples", "required"):
            found |= keywords(value)
    return found


def test_the_checker_understands_every_keyword_the_event_schemas_use() -> None:
    used = keywords(list(versioned_schemas().values()))
    assert used <= UNDERSTOOD | ANNOTATIONS, used - UNDERSTOOD - ANNOTATIONS


@pytest.mark.parametrize("name", sorted(versioned_schemas()))
def test_every_event_schema_reads_itself(name: str) -> None:
    schema = versioned_schemas()[name]
    assert can_read(schema, schema) == []


NAMES = st.sampled_from(["a", "b", "c"])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([-1.5, 0.5, 2.5]) | st.text("ab", max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), inner,
                                                                max_size=3),
    max_leaves=6)


def _scalar() -> st.SearchStrategy[dict[str, Any]]:
    bound = st.integers(-2, 2)
    strings = st.fixed_dictionaries({"type": st.just("string")}, optional={
        "minLength": st.integers(0, 2), "maxLength": st.integers(0, 3), "pattern": st.sampled_from(["^a", "b$"]),
        "enum": st.lists(st.sampled_from(["", "a", "ab", "b"]), min_size=1, max_size=3, unique=True)})
    numbers = st.fixed_dictionaries({"type": st.sampled_from(["integer", "number"])}, optional={
        "minimum": bound, "maximum": bound, "exclusiveMinimum": bound, "exclusiveMaximum": bound})
    others: st.SearchStrategy[dict[str, Any]] = st.sampled_from(
        [{"type": "boolean"}, {"type": "null"}, {}, {"const": 1}, {"type": ["string", "null"]}])
    return strings | numbers | others


SCHEMAS = st.recursive(_scalar(), lambda inner: (
    st.fixed_dictionaries({"type": st.just("array"), "items": inner}, optional={"maxItems": st.integers(0, 2)})
    | st.builds(lambda props, required, extra: {"type": "object", "properties": props,
                                                 "required": sorted(set(required) & set(props)),
                                                 "additionalProperties": extra},
                st.dictionaries(NAMES, inner, max_size=3), st.lists(NAMES, max_size=2),
                st.booleans() | inner)
    | st.builds(lambda branches: {"anyOf": branches}, st.lists(inner, min_size=1, max_size=2))), max_leaves=4)


def _loosened(schema: Any, drop: st.DataObject) -> Any:
    """Return the schema with some of its keywords dropped, at any depth (usually a wider schema)."""
    if isinstance(schema, list):
        return [_loosened(item, drop) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kept = {k: v for k, v in schema.items() if k in ("anyOf", "properties") or not drop.draw(st.booleans())}
    return {k: v if k in ("enum", "const", "required") else _loosened_child(k, v, drop) for k, v in kept.items()}


def _loosened_child(key: str, value: Any, drop: st.DataObject) -> Any:
    if key == "properties":
        return {name: _loosened(field, drop) for name, field in value.items()}
    return _loosened(value, drop)


@settings(max_examples=400, deadline=None)
@given(SCHEMAS, st.data(), st.lists(VALUES, min_size=1, max_size=8))
def test_what_the_checker_calls_readable_the_reader_reads(schema: dict[str, Any], data: st.DataObject,
                                                          values: list[Any]) -> None:
    other = _loosened(schema, data)
    assert can_read(schema, schema) == []
    for reader, writer in ((schema, other), (other, schema)):
        if can_read(reader, writer):
            continue
        for value in values:
            if jsonschema.Draft202012Validator(writer).is_valid(value):
                assert jsonschema.Draft202012Validator(reader).is_valid(value), (reader, writer, value)
