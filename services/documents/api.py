"""Documents' HTTP entry point: translate requests into queries and views into responses, nothing else."""

from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from saphan_runtime.access import Reads, reads
from saphan_runtime.http import SessionDep
from services.documents import projections

router = APIRouter(tags=["documents"])
CaseReads = Annotated[Reads, reads("documents.case.read")]


class CaseFileView(BaseModel):
    """A case's document file."""

    case_id: str
    document_count: int
    documents: list[dict[str, str]]


@router.get("/cases/{case_id}/documents", response_model=CaseFileView,
            responses={404: {"description": "documents has not heard of this case"}})
async def get_case_documents(case_id: str, session: SessionDep, seen: CaseReads) -> CaseFileView:
    """Return the documents attached to a case."""
    case_file = await projections.find_case_file(session, case_id)
    if case_file is None:
        raise HTTPException(404, f"case {case_id} not found / ไม่พบรายการนี้")
    await seen.record([case_id])
    return CaseFileView(case_id=case_id, document_count=case_file.document_count, documents=[])
