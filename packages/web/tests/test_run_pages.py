"""R30–R33, EXE-01–EXE-13: the teacher's run page, the polled status partial, cancel, my runs
and downloads, on the local runner with trivial standard-library tools."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from skriptoteket.domain.identity import Role

from .runsite import (
    CRASH,
    GROUPS,
    GROUPS_SCHEMA,
    HELLO,
    HX,
    SCRIPT,
    SLOW,
    USER_ERROR,
    WITH_FILE,
    RunSite,
    assert_result_frame_headers,
    make_run_site,
    toast_of,
)


@pytest.fixture
def rsite(tmp_path: Path) -> Iterator[RunSite]:
    yield from make_run_site(tmp_path)


def run_id_of(text: str) -> str:
    found = re.search(r'id="run-([0-9a-f-]{36})"', text)
    assert found, text
    return found.group(1)


def start(site: RunSite, slug: str, csrf: str, *, htmx: bool = True, **data: str) -> str:
    response = site.client.post(
        f"/tools/{slug}/run",
        data={"csrf_token": csrf, **data},
        files={"file": ("lista.csv", b"namn;klass\nAda;7A\n")},
        headers=HX if htmx else {},
    )
    assert response.status_code == 200, response.text
    return run_id_of(response.text)


def test_run_form_contract_1_EXE_02(rsite: RunSite) -> None:
    tool = rsite.versioned_tool("Hälsning", HELLO)
    rsite.login(Role.USER)
    page = rsite.client.get(f"/tools/{tool.slug}/run")
    assert page.status_code == 200
    for text in ("Hälsning", "← Tillbaka till katalog", "Ladda upp fil", ">Kör<", "Välj fil"):
        assert text in page.text
    assert '<label for="input-file">' in page.text
    assert re.search(r'<input id="input-file" name="file" type="file"\s+required', page.text)
    assert "multiple" not in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert f'hx-post="/tools/{tool.slug}/run"' in page.text
    assert 'id="result-container" class="result-container" aria-live="polite"' in page.text


class _Controls(HTMLParser):
    """Each form control's attributes as a browser parses them (name → attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("input", "select") and found.get("name"):
            self.controls[str(found["name"])] = found


def controls_of(text: str) -> dict[str, dict[str, str | None]]:
    parser = _Controls()
    parser.feed(text)
    return parser.controls


def test_every_input_kind_renders_its_attributes_apart(rsite: RunSite) -> None:
    """Issue 11: a field taking up to 3 files rendered ``multiplerequired=""`` (the template's
    whitespace control glued the attributes), so the browser took one file and did not
    require any. Each attribute must reach the browser on its own."""
    tool = rsite.versioned_tool("Grupper", GROUPS, schema=GROUPS_SCHEMA)
    rsite.login(Role.USER)
    controls = controls_of(rsite.client.get(f"/tools/{tool.slug}/run").text)
    files = controls["klasslista"]
    assert {"multiple", "required", "accept", "aria-required"} <= set(files)
    assert files["accept"] == ".csv,.txt"
    number = controls["antal"]
    assert (number["type"], number["min"], number["max"], number["step"]) == (
        "number",
        "2",
        "10",
        "1",
    )
    assert "required" not in number
    assert {"required", "aria-required", "maxlength"} <= set(controls["rubrik"])
    assert controls["slumpa"]["type"] == "checkbox"
    assert "required" not in controls["sortering"]
    for attributes in controls.values():  # nothing glued: every name is a real attribute
        assert not any(
            name.startswith(("multiple", "required")) and name not in ("multiple", "required")
            for name in attributes
        ), attributes


def test_run_form_contract_2_renders_the_schema(rsite: RunSite) -> None:
    tool = rsite.versioned_tool("Grupper", GROUPS, schema=GROUPS_SCHEMA)
    rsite.login(Role.USER)
    text = rsite.client.get(f"/tools/{tool.slug}/run").text
    assert 'accept=".csv,.txt"' in text
    assert "multiple" in text
    assert "Klasslista" in text
    assert "Tillåtna filtyper: .csv, .txt" in text
    assert re.search(r'name="antal" type="number"[^>]*value="4"[^>]*step="1"', text, re.S)
    assert 'min="2"' in text
    assert 'max="10"' in text
    assert "Mellan 2 och 10" in text
    assert '<option value="namn" selected>' in text
    assert 'name="slumpa" type="checkbox"' in text
    assert re.search(r'name="rubrik" type="text"[^>]*required', text, re.S)


def test_not_runnable_is_404_EXE_01(rsite: RunSite) -> None:
    hidden = rsite.versioned_tool("Dold", HELLO, published=False)
    bare = rsite.tool("Utan version")
    csrf = rsite.login(Role.USER)
    for slug in ("finns-inte", hidden.slug, bare.slug):
        assert rsite.client.get(f"/tools/{slug}/run").status_code == 404
        posted = rsite.client.post(
            f"/tools/{slug}/run", data={"csrf_token": csrf}, files={"file": ("a.txt", b"x")}
        )
        assert posted.status_code == 404
        assert "Verktyget hittades inte." in posted.text
    rsite.login(Role.ADMIN)
    assert rsite.client.get(f"/tools/{hidden.slug}/run").status_code == 404


def test_run_then_result_without_reload_and_escaped_iframe_UI_07(rsite: RunSite) -> None:
    tool = rsite.versioned_tool("Skript", SCRIPT)
    csrf = rsite.login(Role.USER)
    started = rsite.client.post(
        f"/tools/{tool.slug}/run",
        data={"csrf_token": csrf},
        files={"file": ("lista.csv", b"a")},
        headers=HX,
    )
    assert started.status_code == 200
    assert "<html" not in started.text  # a partial, swapped into the result area
    run_id = run_id_of(started.text)
    assert f'hx-get="/my-runs/{run_id}/status?in_form=1"' in started.text
    assert 'hx-trigger="every 1s"' in started.text
    # issue 10: where the browser has EventSource, app.js follows this stream instead
    assert f'data-run-events="/api/v1/runs/{run_id}/events"' in started.text
    # DESIGN §9 click → result: a young run is looked at again after 200 ms, not only each second
    assert 'hx-trigger="load delay:200ms"' in started.text
    assert "Avbryt" in started.text
    done = rsite.wait_final(f"/my-runs/{run_id}/status?in_form=1")
    assert "hx-get" not in done.text.split("</h2>")[0]  # polling stopped
    assert "data-run-events" not in done.text  # and no stream for a final run
    assert "Körning: Lyckades" in done.text
    assert done.text.count("Körning lyckades.") == 1  # the toast only, not also inline (issue 11)
    assert "notice-success" not in done.text
    page = rsite.client.get(f"/my-runs/{run_id}")  # a full page has no toast: the notice is inline
    assert page.text.count("Körning lyckades.") == 1
    assert "notice-success" in page.text
    # UI-07, DESIGN §6: the HTML is not in the page; the sandboxed iframe loads it by URL.
    frame = f'<iframe class="result-frame" sandbox="" src="/my-runs/{run_id}/result.html"'
    assert frame + ' title="Resultat"></iframe>' in done.text
    assert "allow-" not in done.text
    assert "alert(1)" not in done.text
    assert "srcdoc" not in done.text
    assert "Resultat" in done.text
    assert 'href="#run-form">Kör igen' in done.text
    assert "Avbryt" not in done.text


STYLED = (
    "def run_tool(input_path, output_dir):\n"
    "    return ('<style>p { color: rgb(1, 2, 3) }</style>'\n"
    "            '<p style=\"font-weight: bold\">Stil</p><script>alert(1)</script>')\n"
)


def test_result_document_for_the_owner_only_EXE_07(rsite: RunSite) -> None:
    tool = rsite.versioned_tool("Stil", STYLED)
    crash = rsite.versioned_tool("Kraschar", CRASH)
    csrf = rsite.login(Role.USER)
    run_id = start(rsite, tool.slug, csrf)
    url = f"/my-runs/{run_id}/result.html"
    assert rsite.client.get(url).status_code == 404  # no HTML yet
    done = rsite.wait_final(f"/my-runs/{run_id}/status")
    assert f'src="{url}"' in done.text
    frame = rsite.client.get(url)
    assert_result_frame_headers(frame)
    assert frame.text == (
        "<!DOCTYPE html>\n<style>p { color: rgb(1, 2, 3) }</style>"
        '<p style="font-weight: bold">Stil</p><script>alert(1)</script>'
    )
    assert "Resultat" in rsite.client.get(f"/my-runs/{run_id}").text  # the page shows it
    failed = start(rsite, crash.slug, csrf)
    assert "<iframe" not in rsite.wait_final(f"/my-runs/{failed}/status").text
    assert rsite.client.get(f"/my-runs/{failed}/result.html").status_code == 404
    assert rsite.client.get("/my-runs/inte-ett-id/result.html").status_code == 404
    for role in (Role.CONTRIBUTOR, Role.ADMIN, Role.SUPERUSER):  # another user: 404, as EXE-07
        rsite.login(role)
        missing = rsite.client.get(url)
        assert missing.status_code == 404
        assert "Stil" not in missing.text
    rsite.anonymous()
    anonymous = rsite.client.get(url)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login"


def test_a_final_run_brings_a_toast_EXE_04(rsite: RunSite) -> None:
    """An htmx request that finds the run final gets the partial plus the toast, out of band
    into the live region every page has (#toast-region, aria-live); not while it runs, not
    without htmx, and never through the toast cookie (a reload shows no stale toast)."""
    hello = rsite.versioned_tool("Hälsning", HELLO)
    crash = rsite.versioned_tool("Kraschar", CRASH)
    csrf = rsite.login(Role.USER)
    page = rsite.client.get(f"/tools/{hello.slug}/run").text
    assert '<div id="toast-region" class="toast-region" aria-live="polite">' in page
    started = rsite.client.post(
        f"/tools/{hello.slug}/run",
        data={"csrf_token": csrf},
        files={"file": ("a.csv", b"a")},
        headers=HX,
    )
    run_id = run_id_of(started.text)
    if 'hx-trigger="every 1s"' in started.text:
        assert toast_of(started.text) is None
    done = rsite.wait_final(f"/my-runs/{run_id}/status?in_form=1")
    assert toast_of(done.text) == "success: Körning lyckades."
    assert "skriptoteket_toast" not in done.headers.get("set-cookie", "")
    plain = rsite.client.get(f"/my-runs/{run_id}/status")  # without htmx: no toast
    assert toast_of(plain.text) is None
    detail = rsite.client.get(f"/my-runs/{run_id}")
    assert "toast-success" not in detail.text
    failed = rsite.wait_final(f"/my-runs/{start(rsite, crash.slug, csrf)}/status")
    assert toast_of(failed.text) == "error: Körning misslyckades."


def test_without_htmx_the_whole_page_keeps_the_form(rsite: RunSite) -> None:
    tool = rsite.versioned_tool("Hälsning", HELLO)
    csrf = rsite.login(Role.USER)
    page = rsite.client.post(
        f"/tools/{tool.slug}/run", data={"csrf_token": csrf}, files={"file": ("a.csv", b"a")}
    )
    assert page.status_code == 200
    assert "<html" in page.text
    assert 'id="run-form"' in page.text
    run_id_of(page.text)


def test_server_validation_in_swedish(rsite: RunSite) -> None:
    tool = rsite.versioned_tool("Grupper", GROUPS, schema=GROUPS_SCHEMA)
    csrf = rsite.login(Role.USER)
    url = f"/tools/{tool.slug}/run"
    files = {"klasslista": ("lista.csv", b"a")}
    missing = rsite.client.post(url, data={"csrf_token": csrf, "antal": "3"}, files=files)
    assert missing.status_code == 400
    assert "Fältet måste fyllas i." in missing.text
    assert 'value="3"' in missing.text  # the teacher's values stay
    too_big = rsite.client.post(
        url, data={"csrf_token": csrf, "antal": "11", "rubrik": "R"}, files=files, headers=HX
    )
    assert too_big.status_code == 400
    assert "Ange ett värde som är högst 10." in too_big.text
    assert 'id="error-antal" class="field-error" role="alert" hx-swap-oob="true"' in too_big.text
    wrong = rsite.client.post(
        url,
        data={"csrf_token": csrf, "rubrik": "R"},
        files={"klasslista": ("bild.png", b"x")},
    )
    assert wrong.status_code == 400
    assert "Filen bild.png har inte en tillåten filtyp (.csv, .txt)." in wrong.text
    decimal = rsite.client.post(
        url, data={"csrf_token": csrf, "antal": "3,5", "rubrik": "R"}, files=files
    )
    assert "Ange ett heltal." in decimal.text
    good = rsite.client.post(
        url,
        data={"csrf_token": csrf, "antal": "3", "rubrik": "R", "slumpa": "true"},
        files=[
            ("klasslista", ("a.csv", b"a")),
            ("klasslista", ("b.csv", b"b")),
        ],
        headers=HX,
    )
    assert good.status_code == 200, good.text
    run_id = run_id_of(good.text)
    rsite.wait_final(f"/my-runs/{run_id}/status")
    assert "3 grupper, 2 filer" in rsite.client.get(f"/my-runs/{run_id}/result.html").text


def test_failures_are_friendly_EXE_05(rsite: RunSite) -> None:
    crash = rsite.versioned_tool("Kraschar", CRASH)
    polite = rsite.versioned_tool("Användarfel", USER_ERROR)
    csrf = rsite.login(Role.USER)
    done = rsite.wait_final(f"/my-runs/{start(rsite, crash.slug, csrf)}/status")
    assert "Körning: Misslyckades" in done.text
    assert "Ett fel uppstod" in done.text
    assert "Verktyget misslyckades." in done.text
    for hidden in ("KeyError", "Traceback", "hemligt", "Utdata", "Felutdata"):
        assert hidden not in done.text
    told = rsite.wait_final(f"/my-runs/{start(rsite, polite.slug, csrf)}/status")
    assert "Filen saknar kolumnen E-post" in told.text
    assert "Körning misslyckades." in told.text


def test_timeout_reads_in_swedish(tmp_path: Path) -> None:
    for site in make_run_site(tmp_path, runner_timeout_production_seconds=0.5):
        tool = site.versioned_tool("Långsam", SLOW)
        csrf = site.login(Role.USER)
        done = site.wait_final(f"/my-runs/{start(site, tool.slug, csrf)}/status")
        assert "Körning: Tidsgräns" in done.text
        assert "Verktyget tog för lång tid och stoppades efter 1 sekunder." in done.text
        assert "Execution timed out" not in done.text


def test_queue_position_then_cancel(tmp_path: Path) -> None:
    for site in make_run_site(tmp_path, run_concurrency=1):
        tool = site.versioned_tool("Långsam", SLOW)
        csrf = site.login(Role.USER)
        first = start(site, tool.slug, csrf)
        second = site.client.post(
            f"/tools/{tool.slug}/run",
            data={"csrf_token": csrf},
            files={"file": ("a.csv", b"a")},
            headers=HX,
        )
        second_id = run_id_of(second.text)
        assert "Körning: I kö" in second.text
        assert "Plats i kön: 1" in second.text
        status = site.client.get(f"/my-runs/{second_id}/status", headers=HX)
        assert "Plats i kön: 1" in status.text
        cancelled = site.client.post(
            f"/my-runs/{second_id}/cancel", headers={**HX, "X-CSRF-Token": csrf}
        )
        assert cancelled.status_code == 200
        assert "Körning: Avbruten" in cancelled.text
        assert "Körningen avbröts." in cancelled.text
        assert toast_of(cancelled.text) == "info: Körningen avbröts."
        assert toast_of(status.text) is None  # still waiting: no toast
        assert 'hx-trigger="every 1s"' not in cancelled.text
        # the running one: cancelled without htmx → back to its page
        stopped = site.client.post(f"/my-runs/{first}/cancel", data={"csrf_token": csrf})
        assert stopped.status_code == 303
        assert stopped.headers["location"] == f"/my-runs/{first}"
        assert "Avbruten" in site.wait_final(f"/my-runs/{first}/status").text
        without_token = site.client.post(f"/my-runs/{first}/cancel")
        assert without_token.status_code == 403


def test_downloads_and_owner_only_EXE_07_08(rsite: RunSite) -> None:
    tool = rsite.versioned_tool("Rapport", WITH_FILE)
    csrf = rsite.login(Role.USER)
    run_id = start(rsite, tool.slug, csrf)
    done = rsite.wait_final(f"/my-runs/{run_id}/status")
    link = f"/my-runs/{run_id}/artifacts/output_rapport_txt"
    assert f'href="{link}" download>rapport.txt</a>' in done.text
    assert "Filer" in done.text
    assert "skrivet till stdout" not in done.text  # EXE-04: no logs for users
    got = rsite.client.get(link)
    assert got.status_code == 200
    assert got.content == b"NAMN;KLASS\nADA;7A\n"
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"] == 'attachment; filename="rapport.txt"'
    assert rsite.client.get(f"/my-runs/{run_id}/artifacts/finns_inte").status_code == 404
    detail = rsite.client.get(f"/my-runs/{run_id}")
    assert detail.status_code == 200
    assert "Rapport" in detail.text
    assert "lista.csv" in detail.text
    assert f'href="/tools/{tool.slug}/run">Kör igen' in detail.text
    for role in (Role.CONTRIBUTOR, Role.ADMIN, Role.SUPERUSER):  # owner only, admins too
        rsite.login(role)
        assert rsite.client.get(f"/my-runs/{run_id}").status_code == 404
        assert rsite.client.get(f"/my-runs/{run_id}/status").status_code == 404
        assert rsite.client.get(link).status_code == 404
    rsite.login(Role.USER)
    assert rsite.client.get("/my-runs/inte-ett-id").status_code == 404


def test_sandbox_runs_are_not_my_runs_EXE_07(rsite: RunSite) -> None:
    tool = rsite.versioned_tool("Rapport", WITH_FILE)
    admin = rsite.users[Role.ADMIN]
    versions = rsite.call(rsite.core.list_versions, admin, tool_id=tool.id)
    active = next(v for v in versions if v.state.value == "active")
    from skriptoteket.application.execution import Upload

    run = rsite.call(
        rsite.core.start_sandbox_run,
        admin,
        version_id=active.id,
        uploads=[Upload(filename="a.csv", data=b"a")],
    )
    rsite.login(Role.ADMIN)
    assert rsite.client.get(f"/my-runs/{run.id}").status_code == 404
    assert rsite.client.get(f"/admin/tool-runs/{run.id}").status_code == 200
    rsite.wait_final(f"/admin/tool-runs/{run.id}")
    assert rsite.client.get(f"/my-runs/{run.id}/result.html").status_code == 404
    assert rsite.client.get(f"/admin/tool-runs/{run.id}/result.html").status_code == 200


def test_my_runs_newest_first_with_older_link(
    rsite: RunSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("skriptoteket_web.pages.runs.PAGE_SIZE", 2)
    first = rsite.versioned_tool("Första", HELLO)
    second = rsite.versioned_tool("Andra", HELLO)
    csrf = rsite.login(Role.USER)
    empty = rsite.client.get("/my-runs")
    assert "Mina körningar" in empty.text
    assert "Du har inte kört några verktyg ännu." in empty.text
    ids = []
    for tool in (first, second, first):
        rsite.core.deps.clock.advance(60)  # type: ignore[attr-defined]
        ids.append(start(rsite, tool.slug, csrf))
        rsite.wait_final(f"/my-runs/{ids[-1]}/status")
    page = rsite.client.get("/my-runs")
    assert page.text.index(ids[2]) < page.text.index(ids[1])
    assert ids[0] not in page.text
    older = re.search(r'href="(/my-runs\?before=[^"]+)" rel="next">Äldre', page.text)
    assert older, page.text
    rest = rsite.client.get(older.group(1).replace("&amp;", "&"))
    assert ids[0] in rest.text
    assert ids[2] not in rest.text
    assert "Nyaste" in rest.text
    assert 'rel="next"' not in rest.text
    rsite.login(Role.CONTRIBUTOR)
    assert ids[0] not in rsite.client.get("/my-runs").text


def test_run_needs_csrf(rsite: RunSite) -> None:
    tool = rsite.versioned_tool("Hälsning", HELLO)
    rsite.login(Role.USER)
    refused = rsite.client.post(f"/tools/{tool.slug}/run", files={"file": ("a.csv", b"a")})
    assert refused.status_code == 403
