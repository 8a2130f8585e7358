"""Issue 10 (ID-12): the login throttle lives in the database, so failures recorded through one
web app instance block the same (account, address) pair in another one on the same PostgreSQL
database — as with two ``serve`` processes or two machines behind a load balancer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

import httpx2 as httpx
import pytest
from skriptoteket.domain.identity import Role, system_actor
from skriptoteket.domain.login_throttle import ThrottlePolicy
from skriptoteket.plugins import make_plugin_manager
from skriptoteket.settings import Settings
from skriptoteket.testing.fakes import FakeClock, FakePasswordHasher
from skriptoteket_sql.migrations import AlembicMigrations
from skriptoteket_web import hookspecs
from skriptoteket_web.app import CoreServices, create_app
from starlette.testclient import TestClient

from .databases import fresh_postgres_database

pytestmark = pytest.mark.postgres

PASSWORD = "Gröna-äpplen-42"
EMAIL = "larare@skolan.se"
TOKEN = re.compile(r'name="login_token" value="([^"]+)"')
POLICY = ThrottlePolicy(failures_before_delay=2, max_delay_seconds=60, window_seconds=60)


def post_login(client: TestClient, password: str) -> httpx.Response:
    page = client.get("/login")
    found = TOKEN.search(page.text)
    assert found, page.text
    form = {"email": EMAIL, "password": password, "login_token": found.group(1)}
    return client.post("/login", data=form)


@pytest.fixture
def two_apps() -> Iterator[tuple[TestClient, TestClient, FakeClock]]:
    """Two independent apps (own plugin manager, engine and pool) on one migrated database,
    with one fake clock so the delays are exact."""
    with fresh_postgres_database() as url:
        AlembicMigrations(url).upgrade()
        clock = FakeClock()

        def app() -> TestClient:
            created = create_app(
                Settings(database_url=url),
                make_plugin_manager(load_entrypoints=True, extra_specs=[hookspecs]),
                execution=False,
                services=CoreServices(clock=clock, hasher=FakePasswordHasher()),
                throttle=POLICY,
            )
            return TestClient(created, follow_redirects=False)

        with app() as first, app() as second:
            core = first.app.state.core  # type: ignore[attr-defined]
            first.portal.call(  # type: ignore[union-attr]
                partial(
                    core.create_user,
                    system_actor(clock.now()),
                    email=EMAIL,
                    password=PASSWORD,
                    role=Role.USER,
                )
            )
            yield first, second, clock


def test_failures_through_one_app_block_the_pair_in_another(
    two_apps: tuple[TestClient, TestClient, FakeClock],
) -> None:
    first, second, clock = two_apps
    assert first.app is not second.app
    for _ in range(2):
        assert post_login(first, "fel-lösenord").status_code == 400
    blocked = post_login(second, PASSWORD)
    assert blocked.status_code == 429
    assert blocked.headers["retry-after"] == "1"
    clock.advance(1)
    assert post_login(second, "fel-lösenord").status_code == 400  # the third failure: 2 s
    assert post_login(first, PASSWORD).headers["retry-after"] == "2"
    clock.advance(2)
    assert post_login(first, PASSWORD).status_code == 303  # a success clears it for both
    assert post_login(second, "fel-lösenord").status_code == 400
    assert post_login(second, PASSWORD).status_code == 303
