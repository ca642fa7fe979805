"""Every accepted revision of each versioned schema, kept in contracts/schemas/history/<name>/<n>.json, and the review
that accepts a new revision only when it and every earlier revision read each other's events: the new model must
replay every stored event, and a consumer still on an earlier revision (a closed model) must read every new one."""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from saphan_runtime.schema_compat import can_read
from saphan_runtime.schemas import SCHEMA_DIR, render

HISTORY_DIR = SCHEMA_DIR / "history"


@dataclass(frozen=True)
class Review:
    """The verdict on one schema: the revision it would become (None: it is the latest already) and the problems."""

    name: str
    revision: int | None
    problems: tuple[str, ...] = ()

    def explain(self) -> str:
        """Return the refusal in words: which schema, which field, why, and what to do instead."""
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        if self.revision is None:
            return f"{self.name}:\n{lines}"
        return f"{self.name}: an incompatible change; {_instead(self.name)}\n{lines}"


def revisions(name: str, history: Path = HISTORY_DIR) -> list[dict[str, Any]]:
    """Return the accepted revisions of one schema, oldest first."""
    folder = history / name
    files = sorted(folder.glob("*.json"), key=lambda path: int(path.stem)) if folder.is_dir() else []
    return [json.loads(path.read_text(encoding="utf-8")) for path in files]


def review(schemas: Mapping[str, dict[str, Any]], history: Path = HISTORY_DIR) -> list[Review]:
    """Review each schema against its accepted revisions; a schema whose model is gone is a problem too."""
    found = [_review(name, schema, revisions(name, history)) for name, schema in schemas.items()]
    kept = sorted(p.name for p in history.iterdir() if p.is_dir()) if history.is_dir() else []
    return found + [Review(name, None, (_gone(name, history),)) for name in kept if name not in schemas]


def _review(name: str, schema: dict[str, Any], earlier: Sequence[dict[str, Any]]) -> Review:
    if earlier and render(earlier[-1]) == render(schema):
        return Review(name, None)
    problems = []
    for number, old in enumerate(earlier, start=1):
        problems += [f"replay: the new model cannot read revision {number}'s events at {p}"
                     for p in can_read(reader=schema, writer=old)]
        problems += [f"old consumers: revision {number} cannot read the new events at {p}"
                     for p in can_read(reader=old, writer=schema)]
    return Review(name, len(earlier) + 1, tuple(problems))


def record(reviews: Sequence[Review], schemas: Mapping[str, dict[str, Any]], history: Path = HISTORY_DIR) -> list[Path]:
    """Write each accepted new revision into the history and return the files written."""
    written = []
    for verdict in reviews:
        if verdict.revision is not None and not verdict.problems:
            path = history / verdict.name / f"{verdict.revision}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(schemas[verdict.name]), encoding="utf-8")
            written.append(path)
    return written


def _instead(name: str) -> str:
    numbered = re.fullmatch(r"(?P<type>.+)\.v(?P<version>[0-9]+)", name)
    if numbered is None:
        return "keep the schema readable both ways, or give it a new name"
    following = f"{numbered['type']}.v{int(numbered['version']) + 1}"
    return (f"publish it as a new version instead (a new model with version = {int(numbered['version']) + 1}, "
            f"type {following}), and keep this model for the events already stored:")


def _gone(name: str, history: Path) -> str:
    return (f"revisions were accepted but no model defines it any more, so stored events of it could not be replayed; "
            f"restore the model, or delete {history / name} if no stored event of it remains anywhere")
