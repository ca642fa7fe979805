"""A service's HTTP app (its routers, error answers, metrics and, when recorded, request spans), and serving it."""

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from saphan_runtime.heap import settle_garbage_collector
from saphan_runtime.http import health_router, install_error_handlers
from saphan_runtime.logs import configure_logging
from saphan_runtime.metrics import RequestMetrics, metrics_router

if TYPE_CHECKING:
    from saphan_runtime.service import Service


def create_app(service: "Service") -> FastAPI:
    """Return the service's FastAPI app; its lifespan starts and stops the service's background work."""

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start()
        settle_garbage_collector()
        try:
            yield
        finally:
            await service.stop()

    # FastAPI's own telemetry stays off: the OpenTelemetry instrumentation below makes the request spans, and only
    # when they are recorded (FastAPI's would make them whenever a provider is set, recorded or not).
    app = FastAPI(title=service.parts.title, description=service.parts.description, lifespan=lifespan,
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.service, app.state.metrics = service, service.metrics
    install_error_handlers(app)
    app.include_router(health_router())
    app.include_router(metrics_router())
    for router in service.parts.routers:
        app.include_router(router)
    app.add_middleware(RequestMetrics, metrics=service.metrics)
    if service.tracing:
        FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics",
                                           exclude_spans=["receive", "send"])  # a span a request, not a chunk
    return app


def serve(service: "Service") -> None:
    """Run the service's HTTP app (and, through its lifespan, its relay and consumer) until stopped."""
    import uvicorn

    configure_logging(service.settings.name)
    # log_config=None: uvicorn's error and access lines go through the handler configure_logging installed.
    uvicorn.run(service.app, host=service.settings.host, port=service.settings.port, log_config=None,
                timeout_graceful_shutdown=5)
