"""Who may call: the caller named by the bearer token, and the checks of the access policy table (role, relation
to the case, own unit) as FastAPI dependencies."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from contracts.access import policy, relations_allowed, roles_allowed
from saphan_runtime import parties
from saphan_runtime.auth import Principal, Unauthenticated
from saphan_runtime.errors import Forbidden, NotFound
from saphan_runtime.inputs import refuse_nul_characters

# Reads the header and documents the scheme in the OpenAPI document; the refusal is ours (401 with the reason).
BEARER = HTTPBearer(auto_error=False, description="a token of the trusted issuer (in development: `saphan token`)")


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
) -> Principal:
    """Return the caller named by the request's bearer token (401 without a valid one)."""
    token = credentials.credentials.strip() if credentials else ""
    if not token:
        raise Unauthenticated("a bearer token is required (Authorization: Bearer ...) / ต้องแนบโทเค็น")
    principal: Principal = await request.app.state.service.verifier.principal(token)
    return principal


def allowed(action: str) -> Callable[..., Awaitable[Principal]]:
    """Return a dependency giving the caller when one of its roles may perform the action (the policy table), its
    request holds no NUL character and, for an action on one case, when its unit stands in an allowed relation to
    the case the path names (need to know). The relations found are kept on the request for the fields the action
    may show. A route that names no case (a search) must keep to the caller's cases itself."""
    rule = policy()["actions"][action]
    on_case = rule["scope"] == "party"

    async def check(request: Request, principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        _check_role(principal, action)
        await refuse_nul_characters(request)  # before the first lookup with the request's text
        if on_case:
            await _check_party(request, principal, action, rule)
        return principal

    return check


def _check_role(principal: Principal, action: str) -> None:
    if not principal.has_any(roles_allowed(action)):
        rule = policy()["actions"][action]
        held = ", ".join(sorted(principal.roles)) or "no Saphan role"
        raise Forbidden(f"{held} may not {rule['en']} / ไม่มีสิทธิ์{rule['th']}")


async def _check_party(request: Request, principal: Principal, action: str, rule: dict[str, Any]) -> None:
    # A session of its own: sharing the endpoint's would start its snapshot before a write endpoint's command runs,
    # and the endpoint would then answer with the state from before its own change.
    service = request.app.state.service
    async with service.read_sessions() as session:
        case_id = await service.case_of(session, request.path_params)
        if case_id is None:
            return
        found = await parties.relations(session, case_id, principal.unit_id)
    if found is None:
        raise NotFound(f"case {case_id} not found / ไม่พบรายการนี้")
    if found.isdisjoint(relations_allowed(action)):
        raise Forbidden(f"unit {principal.unit_id} is not party to case {case_id} in a way that lets it {rule['en']} / "
                        f"หน่วยงาน {principal.unit_id} ไม่มีความเกี่ยวข้องกับรายการนี้ที่ให้{rule['th']}ได้")
    request.state.relations = found


def allowed_for_unit(action: str) -> Callable[..., Awaitable[Principal]]:
    """Return a dependency giving the caller when its role may perform the action on the unit in the path, which
    must be its own unit."""
    async def check(request: Request, unit_id: str, principal: Annotated[Principal, Depends(current_principal)]
                    ) -> Principal:
        _check_role(principal, action)
        await refuse_nul_characters(request)
        if principal.unit_id != unit_id:
            raise Forbidden(f"unit {principal.unit_id} may not act for unit {unit_id} / "
                            f"หน่วยงาน {principal.unit_id} ไม่มีสิทธิ์ดำเนินการแทนหน่วยงาน {unit_id}")
        return principal

    return check
