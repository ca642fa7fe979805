"""The gateway the page calls the services through: `/api/<service>/<path>` goes on to that service with the
session's token as a bearer, and the answer comes back as it is (streamed: server-sent events and downloads too).
The services decide what the user may see; the gateway adds nothing and hides nothing."""

from typing import Annotated

import httpx
from fastapi import APIRouter, Header, HTTPException, Path, Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask

from saphan_runtime.http import problem
from services.console.session import Token
from services.console.settings import SERVICES

router = APIRouter(prefix="/api", tags=["gateway"])
# What goes on to the service, and what comes back from it.
REQUEST_HEADERS = ("accept", "content-type", "if-match", "idempotency-key", "x-saphan-purpose", "last-event-id")
RESPONSE_HEADERS = ("content-type", "content-disposition", "etag", "location", "retry-after", "idempotent-replayed",
                    "repr-digest", "x-document-version", "cache-control")
# A page of ours sends this header with every change; a form on another site cannot (CSRF).
CONSOLE_HEADER = "x-saphan-console"
SAFE_METHODS = ("GET", "HEAD")


@router.api_route("/{service}/{path:path}", methods=["GET", "POST", "PUT", "DELETE"], include_in_schema=False)
async def forward(
    request: Request, token: Token, path: str,
    service: Annotated[str, Path(pattern="^(" + "|".join(SERVICES) + ")$")],
    console: Annotated[str | None, Header(alias=CONSOLE_HEADER)] = None,
) -> Response:
    """Send the call on to the service and stream its answer back."""
    if request.method not in SAFE_METHODS and console != "1":
        raise HTTPException(403, f"changes must come from the console's page ({CONSOLE_HEADER}: 1)")
    client: httpx.AsyncClient = request.app.state.upstream
    headers = {name: value for name in REQUEST_HEADERS if (value := request.headers.get(name)) is not None}
    upstream = client.build_request(
        request.method, f"{request.app.state.settings.upstreams()[service]}/{path}",
        params=str(request.query_params), content=None if request.method in SAFE_METHODS else request.stream(),
        headers={**headers, "authorization": f"Bearer {token}"})
    try:
        answer = await client.send(upstream, stream=True)
    except httpx.HTTPError:
        return problem(503, f"{service} does not answer; retry later", headers={"Retry-After": "5"})
    kept = {name: value for name in RESPONSE_HEADERS if (value := answer.headers.get(name)) is not None}
    return StreamingResponse(answer.aiter_raw(), status_code=answer.status_code, headers=kept,
                             background=BackgroundTask(answer.aclose))
