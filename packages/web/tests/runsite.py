"""A web app with execution on (the core's local runner, the in-process queue, the filesystem
artifact store) for the run pages and the editor's sandbox runs; tools are trivial
standard-library scripts."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from skriptoteket.domain.identity import Role
from skriptoteket.domain.tools import Tool
from skriptoteket.plugins import make_plugin_manager
from skriptoteket.settings import Settings
from skriptoteket.testing.fakes import FakeClock, FakePasswordHasher
from skriptoteket_web import hookspecs
from skriptoteket_web.app import CoreServices, create_app
from skriptoteket_web.web_settings import WebSettings
from starlette.testclient import TestClient

from .conftest import EMAILS, SITE_THROTTLE, Site

HX = {"HX-Request": "true"}

HELLO = "def run_tool(input_path, output_dir):\n    return '<p>Hej från verktyget</p>'\n"
SCRIPT = "def run_tool(input_path, output_dir):\n    return '<script>alert(1)</script>'\n"
WITH_FILE = (
    "import os\n"
    "def run_tool(input_path, output_dir):\n"
    "    data = open(input_path, encoding='utf-8').read()\n"
    "    with open(os.path.join(output_dir, 'rapport.txt'), 'w', encoding='utf-8') as f:\n"
    "        f.write(data.upper())\n"
    "    print('skrivet till stdout')\n"
    "    return '<p>Klar</p>'\n"
)
CRASH = "def run_tool(input_path, output_dir):\n    raise KeyError('hemligt')\n"
USER_ERROR = (
    "from skriptoteket_tool import ToolUserError\n"
    "def run_tool(input_path, output_dir):\n"
    "    raise ToolUserError('Filen saknar kolumnen E-post')\n"
)
SLOW = (
    "import time\n"
    "def run_tool(input_path, output_dir):\n"
    "    time.sleep(3)\n"
    "    return '<p>sov</p>'\n"
)
GROUPS = (
    "def run_tool(input_dir, output_dir, inputs):\n"
    "    return '<p>%s grupper, %s filer</p>' % (inputs['antal'], len(inputs['klasslista']))\n"
)
GROUPS_SCHEMA: Mapping[str, Any] = {
    "files": [
        {"name": "klasslista", "label": "Klasslista", "accept": [".csv", ".txt"], "max_count": 3}
    ],
    "fields": [
        {
            "name": "antal",
            "label": "Antal grupper",
            "kind": "number",
            "integer": True,
            "min": 2,
            "max": 10,
            "default": 4,
        },
        {
            "name": "sortering",
            "label": "Sortera efter",
            "kind": "choice",
            "choices": ["namn", "klass"],
            "default": "namn",
        },
        {"name": "slumpa", "label": "Slumpa ordningen", "kind": "checkbox"},
        {"name": "rubrik", "label": "Rubrik", "kind": "text", "required": True},
    ],
}


RESULT_FRAME_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox"
)


def assert_result_frame_headers(response: Any) -> None:
    """DESIGN §6: the run's own HTML, framable only by this app, with inline styles and data:
    images but no script, no network, no forms, in a CSP sandbox; never cached."""
    assert response.status_code == 200, response.text
    assert response.headers["content-security-policy"] == RESULT_FRAME_CSP
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"] == "text/html; charset=utf-8"


TOAST_REGION = '<div id="toast-region" hx-swap-oob="innerHTML">'


def toast_of(text: str) -> str | None:
    """The toast swapped out of band into the page's live region, as ``kind: text``."""
    if TOAST_REGION not in text:
        return None
    found = re.search(
        r'<div class="toast toast-(\w+)" role="status" data-toast>\s*<span>([^<]*)</span>'
        r'\s*<button type="button" class="toast-close" data-dismiss-toast aria-label="Stäng">',
        text.split(TOAST_REGION, 1)[1],
    )
    assert found, text
    return f"{found.group(1)}: {found.group(2)}"


class RunSite(Site):
    def versioned_tool(
        self,
        title: str,
        source: str,
        *,
        schema: Mapping[str, Any] | None = None,
        published: bool = True,
    ) -> Tool:
        admin = self.users[Role.ADMIN]
        tool = self.tool(title, slug=f"verktyg-{uuid.uuid4().hex[:8]}")
        draft = self.call(
            self.core.create_draft_version,
            admin,
            tool_id=tool.id,
            source_code=source,
            input_schema=dict(schema) if schema else None,
        )
        self.call(self.core.submit_for_review, admin, version_id=draft.id)
        self.call(self.core.publish_version, admin, version_id=draft.id)
        return self.call(self.core.set_tool_published, admin, tool_id=tool.id, published=published)

    def wait_final(self, status_url: str, *, timeout: float = 30.0) -> Any:
        """Poll like htmx does until the partial stops polling."""
        deadline = time.monotonic() + timeout
        while True:
            response = self.client.get(status_url, headers=HX)
            assert response.status_code == 200, response.text
            if 'hx-trigger="every 1s"' not in response.text:
                return response
            assert time.monotonic() < deadline, "the run did not finish"
            time.sleep(0.05)


def make_run_site(
    data_dir: Path, *, web_settings: WebSettings | None = None, **settings: Any
) -> Iterator[RunSite]:
    pm = make_plugin_manager(load_entrypoints=False, extra_specs=[hookspecs])
    clock = FakeClock()
    app = create_app(
        Settings(database_url="memory://", data_dir=data_dir, **settings),
        pm,
        web_settings=web_settings or WebSettings(default_language="sv"),
        execution=True,
        recover_interrupted_runs=False,
        services=CoreServices(clock=clock, hasher=FakePasswordHasher()),
        throttle=SITE_THROTTLE,
    )
    with TestClient(app, follow_redirects=False) as client:
        site = RunSite(client, clock)
        for role, email in EMAILS.items():
            site.users[role] = site.add_user(role, email)
        yield site
