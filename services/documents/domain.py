"""A case's document file: which cases documents may be attached to (documents themselves come later)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CaseFile:
    """The document file of one case."""

    case_id: str
    document_count: int = 0


def open_file(existing: CaseFile | None, case_id: str) -> CaseFile | None:
    """Decide whether a case file must be opened: only once per case."""
    if existing is not None:
        return None
    return CaseFile(case_id=case_id)
