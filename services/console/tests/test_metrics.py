"""The console's /metrics: its requests counted by route template (a mount by its prefix), never by raw path."""

import httpx

from saphan_runtime.broker import free_port
from saphan_runtime.testing import sample_value, scrape, serving
from services.console.bootstrap import bootstrap
from services.console.settings import Settings


async def test_the_console_counts_requests_by_route_template_and_needs_no_session_for_metrics(tmp_path) -> None:
    app = bootstrap(Settings(port=free_port(), var_dir=tmp_path))
    async with serving(app, app.state.settings.port) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            for path in ("/session", "/api/intake/cases/case-9", "/static/missing-9.js", "/no-such-page-9"):
                await client.get(path)
        samples = await scrape(url)

    def counted(route: str, status: str) -> float | None:
        return sample_value(samples, "saphan_http_requests_total", service="console", method="GET", route=route,
                            status=status)

    assert counted("/session", "401") == 1
    assert counted("/api/{service}/{path}", "401") == 1  # no session: the gateway refuses before calling intake
    assert counted("/static/{path}", "404") == 1
    assert counted("unmatched", "404") == 1
    assert not [s for s in samples if "9" in s.labels.get("route", "")]
