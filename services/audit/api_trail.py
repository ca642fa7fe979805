"""Audit's HTTP entry point for the legal trail of a case: JSON, PDF, or the whole bundle as a zip."""

import asyncio
from typing import Any

from fastapi import APIRouter, HTTPException, Response

from saphan_runtime.access import Reads
from saphan_runtime.cloudevents import now
from saphan_runtime.http import SessionDep
from services.audit import trail, trail_pdf
from services.audit.api import HistoryReads

Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: {"description": "the ledger holds no event of this case"}}
NO_CHECKPOINT: Responses = {409: {"description": "no signed checkpoint yet (one is signed every few seconds)"}}


def trail_router(public_key: str) -> APIRouter:
    """Return the routes of the legal-trail export; the public key is the one checkpoints verify with."""
    router = APIRouter(tags=["legal trail"])

    async def build(session: Any, case_id: str, seen: Reads, *, signed: bool) -> dict[str, Any]:
        found = await trail.legal_trail(session, case_id, public_key=public_key, now=now())
        if found is None:
            raise HTTPException(404, f"no events for case {case_id} / ไม่พบเหตุการณ์ของรายการนี้")
        if signed and found["checkpoint"] is None:
            raise HTTPException(409, "no signed checkpoint yet / ยังไม่มีจุดตรวจที่ลงนาม")
        await seen.record([case_id])
        return found

    @router.get("/cases/{case_id}/trail", responses=NOT_FOUND)
    async def get_trail(case_id: str, session: SessionDep, seen: HistoryReads) -> dict[str, Any]:
        """Return the case's legal trail: its entries with inclusion proofs in the newest signed checkpoint."""
        return await build(session, case_id, seen, signed=False)

    @router.get("/cases/{case_id}/trail.pdf", response_class=Response, responses={
        200: {"content": {"application/pdf": {}}}, **NOT_FOUND, **NO_CHECKPOINT})
    async def get_trail_pdf(case_id: str, session: SessionDep, seen: HistoryReads) -> Response:
        """Return the case's legal trail as a PDF in Thai and English."""
        pdf = await asyncio.to_thread(trail_pdf.render, await build(session, case_id, seen, signed=True))
        return Response(pdf, media_type="application/pdf", headers=_attachment(f"trail-{case_id}.pdf"))

    @router.get("/cases/{case_id}/trail.zip", response_class=Response, responses={
        200: {"content": {"application/zip": {}}}, **NOT_FOUND, **NO_CHECKPOINT})
    async def get_trail_zip(case_id: str, session: SessionDep, seen: HistoryReads) -> Response:
        """Return the bundle to check offline: the trail as JSON and PDF, the verifier and how to use it."""
        found = await build(session, case_id, seen, signed=True)
        pdf = await asyncio.to_thread(trail_pdf.render, found)
        return Response(trail.bundle_zip(found, pdf), media_type="application/zip",
                        headers=_attachment(f"trail-{case_id}.zip"))

    return router


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}
