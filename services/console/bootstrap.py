"""The console's composition root: the page, the session and the gateway in one app, and nothing connects until
it starts."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from saphan_runtime.http import install_error_handlers
from saphan_runtime.logs import configure_logging
from saphan_runtime.metrics import Metrics, RequestMetrics, metrics_router
from saphan_runtime.service import check_no_development_defaults, token_verifier
from services.console import gateway, pages, session
from services.console.settings import Settings


def bootstrap(settings: Settings | None = None) -> FastAPI:
    """Build the console app."""
    settings = settings or Settings()
    check_no_development_defaults(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.upstream_timeout_seconds, read=None)  # streams stay open
        async with httpx.AsyncClient(timeout=timeout) as upstream:
            app.state.upstream = upstream
            yield

    app = FastAPI(title="Saphan console / คอนโซลสะพาน", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings, app.state.verifier = settings, token_verifier(settings)
    app.state.metrics = Metrics(settings.name)
    app.include_router(metrics_router(), include_in_schema=False)
    app.include_router(session.router)
    app.include_router(gateway.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    app.add_middleware(pages.SecurityHeaders)
    app.add_middleware(RequestMetrics, metrics=app.state.metrics)
    install_error_handlers(app)

    @app.get("/healthz", include_in_schema=False)
    @app.get("/readyz", include_in_schema=False)
    async def alive() -> dict[str, object]:
        return {"status": "ready", "pid": os.getpid()}

    return app


def serve(app: FastAPI) -> None:
    """Run the console until stopped."""
    import uvicorn

    settings: Settings = app.state.settings
    configure_logging(settings.name)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, timeout_graceful_shutdown=5)
