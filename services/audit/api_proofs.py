"""Audit's HTTP entry point for checkpoints and proofs (RFC 6962): translate requests, nothing else."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from saphan_runtime.auth import Principal
from saphan_runtime.authorisation import allowed
from saphan_runtime.db import MAX_BIG_INTEGER
from saphan_runtime.http import BusDep, SessionDep
from services.audit import projections, proofs
from services.audit.api import Auditor, HistoryReads
from services.audit.commands import SignCheckpoint

POSITIVE = Annotated[int, Query(ge=1, le=MAX_BIG_INTEGER)]
Signer = Annotated[Principal, Depends(allowed("audit.checkpoint.sign"))]


def proofs_router(public_key: str) -> APIRouter:
    """Return the routes of checkpoints and proofs; the public key is the one checkpoints verify with."""
    router = APIRouter(tags=["checkpoints and proofs"])

    @router.get("/ledger/public-key")
    async def get_public_key() -> dict[str, str]:
        """Return the Ed25519 public key (raw, base64) that signs the checkpoints."""
        from services.audit.checkpoints import key_id

        return {"algorithm": "Ed25519", "public_key": public_key, "key_id": key_id(public_key)}

    @router.get("/checkpoints")
    async def list_checkpoints(session: SessionDep) -> list[dict[str, Any]]:
        """Return every signed checkpoint, oldest first."""
        return await projections.list_checkpoints(session)

    @router.post("/checkpoints", status_code=201, responses={200: {"description": "nothing new to sign"}})
    async def sign_now(bus: BusDep, session: SessionDep, caller: Signer) -> Any:
        """Sign a checkpoint now (the service also signs one at regular intervals)."""
        signed = await bus.handle(SignCheckpoint())
        if signed is None:
            found = await projections.list_checkpoints(session)
            if not found:
                raise HTTPException(409, "the ledger is empty / ยังไม่มีบันทึกในสมุดบัญชี")
            return found[-1]
        return signed

    @router.get("/proofs/inclusion", responses={404: {"description": "no such entry or checkpoint"}})
    async def inclusion(sequence: POSITIVE, tree_size: POSITIVE, session: SessionDep,
                        seen: HistoryReads) -> dict[str, Any]:
        """Return the RFC 6962 inclusion proof of a ledger entry in the tree of a checkpoint's size."""
        if sequence > tree_size:
            raise HTTPException(422, "sequence must not exceed tree_size / ลำดับต้องไม่เกินขนาดต้นไม้")
        try:
            path = await proofs.inclusion_proof(session, sequence - 1, tree_size)
            root = await proofs.root_at(session, tree_size)
        except proofs.TooLarge as error:
            raise HTTPException(404, f"{error} / สมุดบัญชียังมีรายการไม่ถึงขนาดนี้") from error
        entry = await projections.entry(session, sequence)
        assert entry is not None
        await seen.record([entry["case_id"]])
        return {"sequence": sequence, "leaf_index": sequence - 1, "tree_size": tree_size,
                "record": entry["record"], "leaf_hash": entry["leaf_hash"], "root_hash": root.hex(),
                "audit_path": [node.hex() for node in path]}

    @router.get("/proofs/consistency", responses={404: {"description": "no such checkpoint"}})
    async def consistency(first: POSITIVE, second: POSITIVE, session: SessionDep, caller: Auditor) -> dict[str, Any]:
        """Return the RFC 6962 consistency proof between two tree sizes (the first a prefix of the second)."""
        if first > second:
            raise HTTPException(422, "first must not exceed second / ขนาดแรกต้องไม่เกินขนาดที่สอง")
        try:
            path = await proofs.consistency_proof(session, first, second)
            roots = [await proofs.root_at(session, size) for size in (first, second)]
        except proofs.TooLarge as error:
            raise HTTPException(404, f"{error} / สมุดบัญชียังมีรายการไม่ถึงขนาดนี้") from error
        return {"first": first, "second": second, "first_root": roots[0].hex(), "second_root": roots[1].hex(),
                "consistency_path": [node.hex() for node in path]}

    return router
