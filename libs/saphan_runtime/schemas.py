"""The JSON Schema of each event type (and of the envelope), generated from the models into contracts/schemas."""

import json
from pathlib import Path
from typing import Any

import contracts
from contracts.envelope import CloudEvent
from contracts.registry import EVENT_MODELS

SCHEMA_DIR = Path(contracts.__file__).parent / "schemas"
ENVELOPE_FILE = "cloudevent.json"


def expected_schemas() -> dict[str, dict[str, Any]]:
    """Return every schema file's name and content, as the models define them now."""
    files = {ENVELOPE_FILE: _with_id(CloudEvent.model_json_schema(), "urn:saphan:schema:cloudevent")}
    for model in EVENT_MODELS:
        files[f"{model.type_name()}.json"] = _with_id(model.model_json_schema(), model.schema_uri())
    return files


def versioned_schemas() -> dict[str, dict[str, Any]]:
    """Return the schemas by the name their history is kept under: the event type, or `cloudevent`."""
    return {name.removesuffix(".json"): schema for name, schema in expected_schemas().items()}


def _with_id(schema: dict[str, Any], uri: str) -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": uri, **schema}


def render(schema: dict[str, Any]) -> str:
    """Return a schema as the text stored in its file."""
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def load_schema(type_name: str, directory: Path = SCHEMA_DIR) -> dict[str, Any]:
    """Return the stored schema of one event type."""
    return dict(json.loads((directory / f"{type_name}.json").read_text(encoding="utf-8")))
