"""Every file generated into contracts/ (`saphan schemas`): the events' JSON Schemas and their accepted revisions,
the AsyncAPI document, and each service's OpenAPI document; and the check that none of them is stale."""

import json
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import contracts
from saphan_runtime import asyncapi, schema_history
from saphan_runtime.schema_history import HISTORY_DIR, Review
from saphan_runtime.schemas import SCHEMA_DIR, render, versioned_schemas
from saphan_runtime.service_catalogue import catalogue

CONTRACTS_DIR = Path(contracts.__file__).parent
OPENAPI_DIR = CONTRACTS_DIR / "openapi"
GENERATED_DIRS = (SCHEMA_DIR, OPENAPI_DIR)  # every *.json directly in these is generated


class IncompatibleChange(Exception):
    """A schema changed in a way an earlier revision's readers or events cannot follow; nothing was written."""

    def __init__(self, refused: list[Review]) -> None:
        super().__init__("\n".join(verdict.explain() for verdict in refused))
        self.refused = refused


@dataclass(frozen=True)
class Contracts:
    """What the models and services define now: each generated file's text, and the schema reviews."""

    files: dict[Path, str]
    schemas: dict[str, dict[str, Any]]
    reviews: list[Review]

    def refused(self) -> list[Review]:
        """Return the reviews with problems."""
        return [verdict for verdict in self.reviews if verdict.problems]


def expected(history: Path | None = None) -> Contracts:
    """Return every generated file as the models and services define it now, with the schema reviews."""
    history = history or HISTORY_DIR
    schemas = versioned_schemas()
    files = {SCHEMA_DIR / f"{name}.json": render(schema) for name, schema in schemas.items()}
    found = catalogue()
    files[asyncapi.ASYNCAPI_FILE] = asyncapi.render(asyncapi.document(found, package_version("saphan")))
    for name, document in found.openapi.items():
        files[OPENAPI_DIR / f"{name}.json"] = render_openapi(document)
    return Contracts(files, schemas, schema_history.review(schemas, history))


def render_openapi(document: dict[str, Any]) -> str:
    """Return an OpenAPI document as the text stored in its file (FastAPI's order kept: paths as routed)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_contracts(history: Path | None = None) -> list[Path]:
    """Write every generated file that changed, record accepted schema revisions, remove generated files no model
    or service defines any more; refuse, writing nothing, while any schema change is incompatible."""
    history = history or HISTORY_DIR
    now = expected(history)
    if refused := now.refused():
        raise IncompatibleChange(refused)
    written = schema_history.record(now.reviews, now.schemas, history)
    for path, text in now.files.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    for path in _unexpected(now.files):
        path.unlink()
        written.append(path)
    return written


def check_contracts(history: Path | None = None) -> list[str]:
    """Return what is wrong with contracts/: incompatible schema changes, unrecorded revisions, stale files."""
    history = history or HISTORY_DIR
    now = expected(history)
    problems = [verdict.explain() for verdict in now.refused()]
    problems += [f"{verdict.name}: revision {verdict.revision} (compatible) is not recorded in "
                 f"{_shown(history / verdict.name)} yet (run `saphan schemas`)"
                 for verdict in now.reviews if verdict.revision and not verdict.problems]
    stale = [path for path, text in now.files.items()
             if not path.is_file() or path.read_text(encoding="utf-8") != text]
    problems += [f"stale: {_shown(path)} (run `saphan schemas`)" for path in stale]
    problems += [f"no longer generated: {_shown(path)} (run `saphan schemas`)" for path in _unexpected(now.files)]
    return problems


def _unexpected(files: dict[Path, str]) -> list[Path]:
    return sorted(path for directory in GENERATED_DIRS if directory.is_dir()
                  for path in directory.glob("*.json") if path not in files)


def _shown(path: Path) -> str:
    return str(path.relative_to(CONTRACTS_DIR.parent)) if path.is_relative_to(CONTRACTS_DIR.parent) else str(path)
