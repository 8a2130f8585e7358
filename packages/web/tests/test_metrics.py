"""Issue 4 §8: ``/metrics`` in the Prometheus text format — runs by status, the run queue, run
durations and HTTP requests by route template — and who may read it. The output is parsed
with prometheus_client's own parser, so it must be valid text format."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from skriptoteket.domain.identity import Role
from skriptoteket.domain.runs import RunContext, RunStatus
from skriptoteket.plugins import make_plugin_manager
from skriptoteket.settings import Settings
from skriptoteket.testing.fakes import FakeClock, FakePasswordHasher
from skriptoteket_web import hookspecs
from skriptoteket_web.app import CoreServices, create_app
from skriptoteket_web.metrics import (
    CONTENT_TYPE,
    UNMATCHED,
    Metrics,
    metrics_access,
    route_template,
    run_buckets,
)
from skriptoteket_web.web_settings import WebSettings
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from .runsite import HELLO, HX, SLOW, RunSite, make_run_site

TOKEN = "s3cret-metrics-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WITH_TOKEN = WebSettings(default_language="sv", metrics_token=TOKEN)

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def scrape(site: RunSite) -> Samples:
    response = site.client.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CONTENT_TYPE
    assert response.headers["cache-control"] == "no-store"
    return parse(response.text)


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def start(site: RunSite, slug: str, csrf: str) -> str:
    response = site.client.post(
        f"/tools/{slug}/run",
        data={"csrf_token": csrf},
        files={"file": ("lista.csv", b"namn;klass\nAda;7A\n")},
        headers=HX,
    )
    assert response.status_code == 200, response.text
    found = re.search(r'id="run-([0-9a-f-]{36})"', response.text)
    assert found, response.text
    return found.group(1)


@pytest.fixture
def msite(tmp_path: Path) -> Iterator[RunSite]:
    yield from make_run_site(tmp_path, web_settings=WITH_TOKEN, run_concurrency=2)


def test_a_real_run_and_its_requests_are_counted(msite: RunSite) -> None:
    site = msite
    runs_done = "skriptoteket_runs_finished_total"
    durations = "skriptoteket_run_duration_seconds"
    requests = "skriptoteket_http_requests_total"
    before = scrape(site)
    assert value(before, runs_done, context="production", status="succeeded") == 0
    assert value(before, "skriptoteket_runs_started_total", context="production") == 0
    assert value(before, durations + "_count", context="production", status="succeeded") is None
    assert value(before, "skriptoteket_run_queue_waiting") == 0
    assert value(before, "skriptoteket_run_queue_running") == 0
    assert value(before, "skriptoteket_run_queue_concurrency") == 2
    assert value(before, "skriptoteket_run_queue_max_waiting") == 1000

    tool = site.versioned_tool("Hälsning", HELLO)
    csrf = site.login(Role.USER)
    run_id = start(site, tool.slug, csrf)
    done = site.wait_final(f"/my-runs/{run_id}/status")
    assert "Lyckades" in done.text
    for path in (f"/finns-inte/{run_id}", "/inte/heller"):
        assert site.client.get(path).status_code == 404
    assert site.client.post("/health").status_code == 405

    after = scrape(site)
    assert value(after, "skriptoteket_runs_started_total", context="production") == 1
    assert value(after, runs_done, context="production", status="succeeded") == 1
    assert value(after, runs_done, context="production", status="failed") == 0
    assert value(after, runs_done, context="sandbox", status="succeeded") == 0
    labels = {"context": "production", "status": "succeeded"}
    assert value(after, durations + "_count", **labels) == 1
    seconds = value(after, durations + "_sum", **labels)
    assert seconds is not None
    assert 0 < seconds < 30
    assert value(after, durations + "_bucket", le="+Inf", **labels) == 1
    assert value(after, durations + "_bucket", le="120.0", **labels) == 1  # the timeout
    assert value(after, durations + "_bucket", le="0.05", **labels) is not None

    post = value(after, requests, method="POST", route="/tools/{slug}/run", status="200")
    assert post == 1
    polls = value(after, requests, method="GET", route="/my-runs/{run_id}/status", status="200")
    assert polls is not None
    assert polls >= 1
    assert value(after, requests, method="GET", route=UNMATCHED, status="404") == 2
    assert value(after, requests, method="POST", route="/health", status="405") == 1
    assert value(after, requests, method="GET", route="/metrics", status="200") == 1
    assert value(
        after, "skriptoteket_http_request_duration_seconds_count", method="GET", route="/metrics"
    )
    label_values = {v for (_, labels_) in after for _, v in labels_}
    assert not any(tool.slug in v or run_id in v or "finns-inte" in v for v in label_values)


def test_queue_gauges_follow_waiting_and_running_runs(tmp_path: Path) -> None:
    for site in make_run_site(tmp_path, web_settings=WITH_TOKEN, run_concurrency=1):
        tool = site.versioned_tool("Långsam", SLOW)
        csrf = site.login(Role.USER)
        first, second = start(site, tool.slug, csrf), start(site, tool.slug, csrf)
        deadline = time.monotonic() + 10
        while True:
            now = scrape(site)
            queue = (
                value(now, "skriptoteket_run_queue_waiting"),
                value(now, "skriptoteket_run_queue_running"),
            )
            if queue == (1.0, 1.0):
                break
            assert time.monotonic() < deadline, queue
            time.sleep(0.02)
        for run_id in (second, first):  # waiting, then running
            cancelled = site.client.post(f"/my-runs/{run_id}/cancel", data={"csrf_token": csrf})
            assert cancelled.status_code == 303
        after = scrape(site)
        cancelled_runs = {"context": "production", "status": "cancelled"}
        assert value(after, "skriptoteket_runs_finished_total", **cancelled_runs) == 2
        assert value(after, "skriptoteket_run_duration_seconds_count", **cancelled_runs) == 1
        assert value(after, "skriptoteket_runs_started_total", context="production") == 1
        assert value(after, "skriptoteket_run_queue_waiting") == 0
        assert value(after, "skriptoteket_run_queue_running") == 0


def test_a_token_is_required_when_configured(msite: RunSite) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer fel"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
    ):
        refused = msite.client.get("/metrics", headers=headers)
        assert refused.status_code == 401, headers
        assert refused.headers["www-authenticate"] == "Bearer"
        assert "skriptoteket_" not in refused.text
    msite.login(Role.SUPERUSER)  # a session is no substitute for the token
    assert msite.client.get("/metrics").status_code == 401
    assert msite.client.get("/metrics", headers={"Authorization": f"bearer {TOKEN}"}).is_success


def metrics_status(client_host: str, headers: dict[str, str] | None = None) -> int:
    app = create_app(
        Settings(database_url="memory://"),
        make_plugin_manager(load_entrypoints=False, extra_specs=[hookspecs]),
        web_settings=WebSettings(),
        execution=False,
        services=CoreServices(clock=FakeClock(), hasher=FakePasswordHasher()),
    )
    with TestClient(app, client=(client_host, 50000)) as client:
        response = client.get("/metrics", headers=headers)
        if response.status_code == 200:
            samples = parse(response.text)
            assert ("skriptoteket_http_requests_total", ()) not in samples
            assert (
                value(
                    samples, "skriptoteket_runs_finished_total", context="sandbox", status="failed"
                )
                == 0
            )
        return response.status_code


def test_without_a_token_only_direct_loopback_clients_read_metrics() -> None:
    assert metrics_status("127.0.0.1") == 200
    assert metrics_status("::1") == 200
    assert metrics_status("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}) == 403
    assert metrics_status("10.0.0.5") == 403
    assert metrics_status("testclient") == 403


@pytest.mark.parametrize(
    ("token", "authorization", "client", "headers", "expected"),
    [
        (None, None, "127.0.0.1", {}, None),
        (None, None, "127.8.9.10", {}, None),
        (None, None, "::ffff:127.0.0.1", {}, None),
        (None, None, "::1", {"forwarded": "for=203.0.113.9"}, 403),
        (None, None, "127.0.0.1", {"x-real-ip": "203.0.113.9"}, 403),
        (None, None, "192.168.1.10", {}, 403),
        (None, None, None, {}, 403),
        (None, "Bearer x", "192.168.1.10", {}, 403),
        ("tok", "Bearer tok", "192.168.1.10", {}, None),
        ("tok", "Bearer  tok ", None, {"x-forwarded-for": "1.2.3.4"}, None),
        ("tok", None, "127.0.0.1", {}, 401),  # with a token, loopback needs it too
        ("tok", "Bearer tokk", "127.0.0.1", {}, 401),
        ("tok", "Bearer tök", "127.0.0.1", {}, 401),
    ],
)
def test_metrics_access_rule(
    token: str | None,
    authorization: str | None,
    client: str | None,
    headers: dict[str, str],
    expected: int | None,
) -> None:
    assert metrics_access(token, authorization, client, headers) == expected


def test_the_observer_counts_by_context_and_status() -> None:
    metrics = Metrics(run_duration_buckets=run_buckets((60.0, 120.0)))
    sample = metrics.registry.get_sample_value
    sandbox_timeout = {"context": "sandbox", "status": "timed_out"}
    for context in RunContext:
        for status in RunStatus:
            expected = 0.0 if status.is_terminal else None
            labels = {"context": context.value, "status": status.value}
            assert sample("skriptoteket_runs_finished_total", labels) == expected
    metrics.run_started(RunContext.SANDBOX)
    metrics.run_finished(RunContext.SANDBOX, RunStatus.TIMED_OUT, 60.4)
    metrics.run_finished(RunContext.PRODUCTION, RunStatus.CANCELLED, None)
    assert sample("skriptoteket_runs_started_total", {"context": "sandbox"}) == 1
    assert sample("skriptoteket_runs_started_total", {"context": "production"}) == 0
    assert sample("skriptoteket_runs_finished_total", sandbox_timeout) == 1
    assert (
        sample("skriptoteket_run_duration_seconds_bucket", {**sandbox_timeout, "le": "60.0"}) == 0
    )
    assert (
        sample("skriptoteket_run_duration_seconds_bucket", {**sandbox_timeout, "le": "120.0"}) == 1
    )
    cancelled = {"context": "production", "status": "cancelled"}
    assert sample("skriptoteket_runs_finished_total", cancelled) == 1
    assert sample("skriptoteket_run_duration_seconds_count", cancelled) is None  # never ran
    metrics.request_done("BREW", "/health", 405, 0.001)
    assert (
        sample(
            "skriptoteket_http_requests_total",
            {"method": "other", "route": "/health", "status": "405"},
        )
        == 1
    )
    parse(metrics.render(None).decode())  # valid text format


def test_run_buckets_reach_the_configured_timeouts() -> None:
    assert run_buckets((60.0, 120.0)) == (
        0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0
    )  # fmt: skip
    assert run_buckets((0.5, 0.5)) == (0.05, 0.1, 0.25, 0.5)
    assert run_buckets((3600.0,))[-3:] == (120.0, 300.0, 3600.0)


def test_route_template_is_the_path_pattern() -> None:
    def endpoint(request: object) -> Response:
        return Response()

    assert route_template({"route": Route("/my-runs/{run_id}", endpoint)}) == "/my-runs/{run_id}"
    assert route_template({"route": Mount("/static", routes=[])}) == "/static/{path}"
    assert route_template({}) == UNMATCHED
