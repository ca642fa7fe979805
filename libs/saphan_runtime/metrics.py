"""Prometheus metrics of one process: its HTTP requests, counted as they happen, and figures read from its database
and broker clients when Prometheus scrapes `GET /metrics`."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

Figures = Callable[[], Awaitable[Iterable[Metric]]]
GaugeReader = Callable[[Any], Awaitable[Iterable[Metric]]]  # given the running Service: a service's own figures
READING_TIMEOUT_SECONDS = 5.0
UNMATCHED = "unmatched"  # a path no route matched: never the raw path, which anyone can vary without end
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def gauge(name: str, documentation: str, values: Mapping[tuple[str, ...], float],
          labels: Sequence[str] = ()) -> GaugeMetricFamily:
    """Return a gauge family with one sample for each tuple of label values."""
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for label_values, value in values.items():
        family.add_metric(label_values, value)
    return family


class ReadAtScrape(Collector):
    """Hands the registry the figures read just before it renders them: `collect` is synchronous and the database
    and broker clients are async, so `Metrics.exposition` reads first (awaiting) and renders next."""

    def __init__(self) -> None:
        self.families: list[Metric] = []

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)

    def describe(self) -> Iterable[Metric]:
        return ()  # its names vary with the service: nothing to check for clashes when registering


class Metrics:
    """One process's registry (not the global default: tests run several services in one process)."""

    def __init__(self, service: str, figures: Sequence[Figures] = ()) -> None:
        self.service, self.figures = service, list(figures)
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("saphan_http_requests", "HTTP requests answered, by route template and status.",
                                ["service", "method", "route", "status"], registry=self.registry)
        self.latency = Histogram("saphan_http_request_duration_seconds",
                                 "Time from a request's arrival to the end of its answer, by route template.",
                                 ["service", "method", "route"], registry=self.registry, buckets=LATENCY_BUCKETS)
        self._read_at_scrape = ReadAtScrape()
        self.registry.register(self._read_at_scrape)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request and its duration."""
        self.requests.labels(self.service, method, route, str(status)).inc()
        self.latency.labels(self.service, method, route).observe(seconds)

    async def exposition(self, accept: str = "") -> tuple[bytes, str]:
        """Read the figures, then render the registry in the format the scraper accepts; return body and type."""
        read = await asyncio.gather(*(self._read(figures) for figures in self.figures))
        encode, content_type = choose_encoder(accept)
        # No await between these two lines: a concurrent scrape cannot swap the figures in between.
        self._read_at_scrape.families = [family for families in read for family in families]
        return encode(self.registry), content_type

    async def _read(self, figures: Figures) -> list[Metric]:
        """Return one reading's families labelled with the service; a reading that fails is left out (and logged),
        so a database that is away costs its own series, not the whole scrape."""
        try:
            families = list(await asyncio.wait_for(figures(), READING_TIMEOUT_SECONDS))
        except Exception as error:
            log.warning("%s: metrics reading %s failed: %r", self.service, getattr(figures, "__name__", figures),
                        error)
            return []
        for family in families:
            family.samples = [s._replace(labels={"service": self.service, **s.labels}) for s in family.samples]
        return families


class RequestMetrics:
    """ASGI middleware counting and timing each request by its route template; pure ASGI, so it costs a clock read
    and two label look-ups a request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, root, status = time.perf_counter(), scope.get("root_path", ""), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.observe(scope["method"], route_of(scope, root), status, time.perf_counter() - started)


def route_of(scope: Scope, root_path: str) -> str:
    """Return the template of the route that answered (the router leaves it in the scope), or the mount's prefix."""
    route = scope.get("route")
    if route is not None:
        return str(getattr(route, "path_format", UNMATCHED))
    mounted = str(scope.get("root_path", ""))[len(root_path):]
    return f"{mounted}/{{path}}" if mounted else UNMATCHED


def metrics_router() -> APIRouter:
    """Return `GET /metrics`: no token, like the health routes; it is meant for the cluster network only."""
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}},
                summary="Prometheus metrics (cluster network only)",
                description="The Prometheus exposition of this process. It takes no token, like /healthz: expose it "
                            "to the cluster network (the Prometheus scraper) only, never through the ingress.")
    async def metrics(request: Request) -> Response:
        body, content_type = await request.app.state.metrics.exposition(request.headers.get("accept", ""))
        return Response(body, media_type=content_type)

    return router
