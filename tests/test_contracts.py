"""The contracts: every event model is registered, frozen, closed, versioned; every generated file under contracts/
(schemas, AsyncAPI, OpenAPI) is current; each service's OpenAPI document has the shape of OpenAPI 3."""

import json

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts.envelope import EventData
from contracts.registry import BY_TYPE, EVENT_MODELS
from contracts.topics import PUBLISHED_TOPICS
from saphan_runtime import cloudevents
from saphan_runtime.contract_files import OPENAPI_DIR, check_contracts
from saphan_runtime.schemas import ENVELOPE_FILE, SCHEMA_DIR, expected_schemas, load_schema
from saphan_runtime.service_catalogue import CONSOLE, SERVICES
from tests.helpers import case_reported_event


def _all_subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    subclasses: list[type] = cls.__subclasses__()
    for direct in subclasses:
        found |= {direct, *_all_subclasses(direct)}
    return found


HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def test_every_generated_file_matches_the_models_and_services_so_a_change_needs_a_regeneration() -> None:
    assert check_contracts() == [], "run `saphan schemas` and commit the result"
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.json")) == sorted(expected_schemas())


def test_every_event_model_is_registered_once_under_a_versioned_type() -> None:
    concrete = {model for model in _all_subclasses(EventData) if hasattr(model, "event_type")}
    assert concrete <= set(EVENT_MODELS)
    assert len(BY_TYPE) == len(EVENT_MODELS)
    for type_name, model in BY_TYPE.items():
        assert type_name.endswith(f".v{model.version}")
        assert model.topic is None or model.topic in PUBLISHED_TOPICS


@pytest.mark.parametrize("model", EVENT_MODELS, ids=lambda m: m.type_name())
def test_event_models_are_closed_schemas(model: type[EventData]) -> None:
    assert load_schema(model.type_name())["additionalProperties"] is False


def test_event_data_is_frozen_and_refuses_unknown_fields() -> None:
    event = cloudevents.decode(case_reported_event("c-1"))
    data = BY_TYPE[event.type].model_validate(event.data)
    with pytest.raises(ValidationError):
        data.case_id = "other"  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        BY_TYPE[event.type].model_validate({**event.data, "surprise": True})


def test_a_published_event_validates_against_the_stored_schemas_and_a_broken_one_does_not() -> None:
    event = json.loads(case_reported_event("c-2"))
    jsonschema.validate(event, load_schema(ENVELOPE_FILE.removesuffix(".json")))
    jsonschema.validate(event["data"], load_schema(event["type"]))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**event["data"], "client_age_years": -1}, load_schema(event["type"]))


def test_the_envelope_is_canonical_json_that_round_trips() -> None:
    raw = case_reported_event("c-3")
    event = cloudevents.decode(raw)
    assert cloudevents.encode(event).encode() == raw
    assert event.subject == "c-3" and event.sequence == "0000000001"


JSON_TEXT = st.text(alphabet=st.characters(codec="utf-8"))  # every code point a JSON string can carry
EVENT_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | JSON_TEXT
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x == 0 or abs(x) >= 1e-4),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(JSON_TEXT, inner, max_size=4), max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(EVENT_JSON)
def test_canonical_json_is_byte_for_byte_what_json_dumps_writes(value: object) -> None:
    """orjson writes the canonical text; ledgers written through json.dumps before it must keep verifying."""
    assert cloudevents.canonical_json(value) == json.dumps(value, sort_keys=True, separators=(",", ":"),
                                                           ensure_ascii=False)


@pytest.mark.parametrize("name", [*SERVICES, CONSOLE])
def test_each_exported_openapi_document_has_the_shape_of_openapi_3(name: str) -> None:
    document = json.loads((OPENAPI_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.") and document["info"]["title"] and document["info"]["version"]
    assert document["paths"], f"{name} documents no path"
    for path, item in document["paths"].items():
        operations = {method: operation for method, operation in item.items() if method in HTTP_METHODS}
        assert operations, f"{name} {path} has no operation"
        for method, operation in operations.items():
            assert operation["responses"], f"{name} {method.upper()} {path} documents no response"
    validator = pytest.importorskip("openapi_spec_validator")  # comes with moto[server]; the full check when present
    validator.validate(document)
