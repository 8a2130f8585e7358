"""R15–R24, ED-01–ED-16, GOV-01–GOV-08: the script editor through its pages, with toasts and
the audit rows the governance steps leave behind."""

from __future__ import annotations

import re
from urllib.parse import unquote

from skriptoteket.domain.identity import Role
from skriptoteket.domain.versions import ToolVersion

from .conftest import SOURCE, Site

NEW_SOURCE = "def run_tool(input_path, output_dir):\n    return '<p>Ny</p>'\n"


def versions(site: Site, tool_id: object) -> list[ToolVersion]:
    return list(site.call(site.core.list_versions, site.users[Role.ADMIN], tool_id=tool_id))


def follow(site: Site, response: object) -> str:
    """The page a 303 leads to (with the toast cookie the redirect set)."""
    location = response.headers["location"]  # type: ignore[attr-defined]
    return site.client.get(location).text


def test_editor_access_ED_01(site: Site) -> None:
    tool = site.tool("Verktyg")  # the contributor is its maintainer
    other = site.add_user(Role.CONTRIBUTOR, "annan@skolan.se")
    site.login(Role.CONTRIBUTOR)
    page = site.client.get(f"/admin/tools/{tool.id}")
    assert page.status_code == 200
    for text in (
        "Skripteditorn",
        "Nytt utkast",
        "Ej publicerad",
        "Källkod",
        "Startfunktion",
        "Ändringssammanfattning",
        "Skapa utkast",
        "Spara ett utkast innan du testkör.",
        "Historik",
        "Inga versioner ännu.",
        "Redigering",
        "Process",
    ):
        assert text in page.text, text
    assert "def run_tool(input_path: str, output_dir: str) -&gt; str:" in page.text  # ED-02
    assert 'value="run_tool"' in page.text
    assert "Metadata" not in page.text  # admin only (ED-14)
    assert '<textarea id="source_code" name="source_code"' in page.text
    assert "/static/vendor/codemirror-6.0.2.min.js" in page.text
    assert "/static/js/editor.js" in page.text
    site.call(
        site.core.remove_maintainer,
        site.users[Role.ADMIN],
        tool_id=tool.id,
        user_id=site.users[Role.CONTRIBUTOR].id,
    )
    site.call(
        site.core.assign_maintainer, site.users[Role.ADMIN], tool_id=tool.id, email=other.email
    )
    refused = site.client.get(f"/admin/tools/{tool.id}")
    assert refused.status_code == 403
    assert "Du saknar behörighet för detta." in refused.text
    site.login(Role.USER)
    assert site.client.get(f"/admin/tools/{tool.id}").status_code == 403
    site.login(Role.ADMIN)
    assert site.client.get("/admin/tools/00000000-0000-0000-0000-000000000009").status_code == 404
    assert site.client.get("/admin/tool-versions/inte-ett-id").status_code == 404


def test_create_save_and_the_draft_head_rule_ED_04_06(site: Site) -> None:
    tool = site.tool("Verktyg")
    csrf = site.login(Role.CONTRIBUTOR)
    created = site.client.post(
        f"/admin/tools/{tool.id}/versions",
        data={
            "csrf_token": csrf,
            "source_code": SOURCE,
            "entrypoint": "run_tool",
            "change_summary": "Första",
        },
    )
    assert created.status_code == 303
    assert "Draft created." in unquote(created.cookies["skriptoteket_toast"])
    draft_page = follow(site, created)
    assert "Utkast skapat." in draft_page
    assert 'aria-label="Stäng"' in draft_page
    assert "Utkast skapat." not in site.client.get(created.headers["location"]).text  # once
    (draft,) = versions(site, tool.id)
    assert "Redigerar v1" in draft_page
    assert f'action="/admin/tool-versions/{draft.id}/save"' in draft_page
    assert f'name="expected_parent_version_id" value="{draft.id}"' in draft_page
    assert ">Spara</button>" in draft_page
    saved = site.client.post(
        f"/admin/tool-versions/{draft.id}/save",
        data={
            "csrf_token": csrf,
            "source_code": NEW_SOURCE,
            "expected_parent_version_id": str(draft.id),
        },
    )
    assert saved.status_code == 303
    assert "Sparat." in follow(site, saved)
    assert len(versions(site, tool.id)) == 2
    stale = site.client.post(
        f"/admin/tool-versions/{draft.id}/save",
        data={
            "csrf_token": csrf,
            "source_code": "# mitt arbete\n" + SOURCE,
            "expected_parent_version_id": str(draft.id),
        },
    )
    assert stale.status_code == 409
    assert "Utkastet har ändrats sedan du öppnade sidan. Ladda om och försök igen." in stale.text
    assert "# mitt arbete" in stale.text  # the author's text is kept
    mismatch = site.client.post(
        f"/admin/tool-versions/{draft.id}/save",
        data={"csrf_token": csrf, "source_code": SOURCE, "expected_parent_version_id": "x"},
    )
    assert mismatch.status_code == 400
    assert "Versionen stämmer inte längre. Ladda om och försök igen." in mismatch.text
    bad_json = site.client.post(
        f"/admin/tools/{tool.id}/versions",
        data={"csrf_token": csrf, "source_code": SOURCE, "input_schema": "{files: ["},
    )
    assert bad_json.status_code == 400
    assert "Indataschemat är inte giltig JSON (rad 1, kolumn 2)." in bad_json.text
    bad_schema = site.client.post(
        f"/admin/tools/{tool.id}/versions",
        data={
            "csrf_token": csrf,
            "source_code": SOURCE,
            "input_schema": '{"files": [{"name": "Fil"}]}',
        },
    )
    assert bad_schema.status_code == 400
    assert "Indataschemat är ogiltigt vid files[0].name." in bad_schema.text
    bad_from = site.client.post(
        f"/admin/tools/{tool.id}/versions",
        data={"csrf_token": csrf, "source_code": SOURCE, "derived_from_version_id": "nej"},
    )
    assert bad_from.status_code == 400
    assert (
        site.client.post(
            f"/admin/tools/{tool.id}/versions", data={"source_code": SOURCE}
        ).status_code
        == 403
    )  # CSRF


def test_schema_round_trip_in_the_editor(site: Site) -> None:
    tool = site.tool("Verktyg")
    csrf = site.login(Role.ADMIN)
    schema = '{"files": [{"name": "lista", "label": "Lista", "accept": [".csv"]}]}'
    created = site.client.post(
        f"/admin/tools/{tool.id}/versions",
        data={"csrf_token": csrf, "source_code": SOURCE, "input_schema": schema},
    )
    assert created.status_code == 303
    page = follow(site, created)
    assert "&#34;accept&#34;: [\n" in page or "&#34;.csv&#34;" in page
    assert 'accept=".csv"' in page  # the sandbox form follows the schema


def test_review_publish_request_changes_and_rollback_GOV(site: Site) -> None:
    tool = site.tool("Verktyg")
    contributor = site.users[Role.CONTRIBUTOR]
    draft = site.call(
        site.core.create_draft_version, contributor, tool_id=tool.id, source_code=SOURCE
    )
    csrf = site.login(Role.CONTRIBUTOR)
    page = site.client.get(f"/admin/tool-versions/{draft.id}").text
    assert "Notis till granskare" in page
    assert "Skicka för granskning" in page
    sent = site.client.post(
        f"/admin/tool-versions/{draft.id}/submit-review",
        data={"csrf_token": csrf, "review_note": "Titta på raden 2"},
    )
    assert sent.status_code == 303
    in_review = follow(site, sent)
    assert "Skickat för granskning." in in_review
    assert "Titta på raden 2" in in_review
    assert "Begär ändringar" not in in_review  # reviewers only
    refused = site.client.post(
        f"/admin/tool-versions/{draft.id}/publish", data={"csrf_token": csrf}
    )
    assert refused.status_code == 403
    csrf = site.login(Role.ADMIN)
    review_page = site.client.get(f"/admin/tool-versions/{draft.id}").text
    for text in ("Granskning", "Publicera", "Begär ändringar"):
        assert text in review_page
    changes = site.client.post(
        f"/admin/tool-versions/{draft.id}/request-changes",
        data={"csrf_token": csrf, "message": "Lägg till rubrik"},
    )
    assert changes.status_code == 303
    assert "Ändringar begärda." in follow(site, changes)
    new_draft = next(v for v in versions(site, tool.id) if v.state.value == "draft")
    assert new_draft.created_by_user_id == contributor.id  # GOV-04
    assert new_draft.change_summary == "Lägg till rubrik"
    # The author sees the reviewer's message on the returned draft, and still after a save
    # (AMB-10: it used to be only a line in the history list).
    csrf = site.login(Role.CONTRIBUTOR)
    returned = site.client.get(f"/admin/tools/{tool.id}").text
    notice = re.search(r'<div class="notice" id="changes-requested">(.*?)</div>', returned, re.S)
    assert notice is not None
    assert "Granskaren begärde ändringar" in notice.group(1)
    assert "Lägg till rubrik" in notice.group(1)
    saved = site.client.post(
        f"/admin/tool-versions/{new_draft.id}/save",
        data={
            "csrf_token": csrf,
            "expected_parent_version_id": str(new_draft.id),
            "source_code": SOURCE,
            "entrypoint": "run_tool",
        },
    )
    assert saved.status_code == 303
    assert "Lägg till rubrik" in follow(site, saved).split('id="changes-requested"')[1]
    saved_head = max(versions(site, tool.id), key=lambda v: v.version_number)
    csrf = site.login(Role.ADMIN)
    new_draft = saved_head
    site.call(site.core.submit_for_review, contributor, version_id=new_draft.id)
    published = site.client.post(
        f"/admin/tool-versions/{new_draft.id}/publish",
        data={"csrf_token": csrf, "change_summary": "Version 1"},
    )
    assert published.status_code == 303
    active_page = follow(site, published)
    assert "Publicerad." in active_page
    assert "Skapa ett utkast innan du testkör." not in active_page  # admins may test any
    assert "Ej publicerad" in active_page  # AMB-02: the catalog is a separate step
    after = site.client.post(
        f"/admin/tool-versions/{new_draft.id}/publish", data={"csrf_token": csrf}
    )
    assert after.status_code == 409
    assert "Det går inte att utföra åtgärden just nu (konflikt)." in after.text
    # a second publication, then a rollback to the first active's source (superuser only)
    second = site.call(
        site.core.create_draft_version,
        site.users[Role.ADMIN],
        tool_id=tool.id,
        source_code=NEW_SOURCE,
    )
    site.call(site.core.submit_for_review, site.users[Role.ADMIN], version_id=second.id)
    site.call(site.core.publish_version, site.users[Role.ADMIN], version_id=second.id)
    old_active = next(
        v
        for v in versions(site, tool.id)
        if v.state.value == "archived"
        and v.published_at
        and v.source_code == SOURCE
        and v.derived_from_version_id == new_draft.id
    )
    history = site.client.get(f"/admin/tools/{tool.id}/versions").text
    assert "Återställ" not in history  # admins do not roll back
    assert (
        site.client.post(
            f"/admin/tools/{tool.id}/rollback",
            data={"csrf_token": csrf, "from_version_id": str(old_active.id)},
        ).status_code
        == 403
    )
    csrf = site.login(Role.SUPERUSER)
    history = site.client.get(f"/admin/tools/{tool.id}/versions").text
    assert 'data-confirm="Återställ denna version som ny aktiv version?"' in history
    assert "Arkiverad" in history
    assert "Publicerad" in history
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", history)  # UI-09
    restored = site.client.post(
        f"/admin/tools/{tool.id}/rollback",
        data={"csrf_token": csrf, "from_version_id": str(old_active.id)},
    )
    assert restored.status_code == 303
    assert "Versionen återställd." in follow(site, restored)
    active = next(v for v in versions(site, tool.id) if v.state.value == "active")
    assert active.source_code == SOURCE
    assert active.change_summary == f"Rollback from v{old_active.version_number}"
    audit = site.client.get("/admin/audit").text
    for text in (
        "Skickat för granskning",
        "Ändringar begärda",
        "Version publicerad",
        "Version återställd",
        "Version skapad",
    ):
        assert text in audit, text


def test_metadata_catalog_toggle_and_slug_TOOL_10_AMB_20(site: Site) -> None:
    tool = site.tool("Verktyg", slug="gammal-adress")
    csrf = site.login(Role.ADMIN)
    page = site.client.get(f"/admin/tools/{tool.id}").text
    for text in (
        "Metadata",
        "Titel",
        "Sammanfattning",
        "Spara metadata",
        "Ansvariga",
        "Visa i katalogen",
        "Ingen aktiv version",
    ):
        assert text in page, text
    empty = site.client.post(
        f"/admin/tools/{tool.id}/metadata",
        data={
            "csrf_token": csrf,
            "title": " ",
            "professions": "larare",
            "categories": "administration",
        },
    )
    assert empty.status_code == 400
    assert "Titel krävs." in empty.text
    saved = site.client.post(
        f"/admin/tools/{tool.id}/metadata",
        data={
            "csrf_token": csrf,
            "title": "Nytt namn",
            "summary": "Kort",
            "slug": "ny-adress",
            "professions": ["larare", "rektor"],
            "categories": "administration",
        },
    )
    assert saved.status_code == 303
    assert "Metadata sparad." in follow(site, saved)
    stored = site.call(site.core.get_tool, site.users[Role.ADMIN], tool_id=tool.id)
    assert (stored.title, stored.summary, stored.slug) == ("Nytt namn", "Kort", "ny-adress")
    assert stored.professions == ("larare", "rektor")
    site.activate(tool)
    shown = site.client.post(
        f"/admin/tools/{tool.id}/publish",
        data={"csrf_token": csrf, "next": f"/admin/tools/{tool.id}"},
    )
    assert shown.status_code == 303
    assert shown.headers["location"] == f"/admin/tools/{tool.id}"
    published_page = follow(site, shown)
    assert "Verktyget visas i katalogen." in published_page
    assert "Adressen kan inte ändras efter att verktyget har publicerats." in published_page


def test_draft_slug_blocks_the_catalog_until_renamed_AMB_20(site: Site) -> None:
    """A suggestion's draft tool keeps ``draft-…`` until an admin renames it: the editor and
    the test area say so beside the slug field and the publish buttons (disabled), a forced
    publish is refused with 400 and the Swedish reason beside the catalog button, and after a
    rename the tool can be shown. Publishing a version is not refused."""
    tool = site.tool("Närvarolista", slug="draft-5f0c1d2e")
    site.activate(tool)  # the version is published; the tool is still hidden
    csrf = site.login(Role.ADMIN)
    page = site.client.get(f"/admin/tools/{tool.id}").text
    assert "Det här är en tillfällig adress." in page
    assert 'aria-describedby="slug-hint slug-temporary"' in page
    assert re.search(r'<button[^>]*disabled aria-describedby="needs-slug">Visa i katalogen', page)
    assert "Verktyget har fortfarande en tillfällig adress (draft-…): ändra den under Metadata" in (
        page
    )
    listing = site.client.get("/admin/tools").text
    assert "Tillfällig adress: ändra den under Redigera först" in listing
    refused = site.client.post(
        f"/admin/tools/{tool.id}/publish",
        data={"csrf_token": csrf, "next": f"/admin/tools/{tool.id}"},
    )
    assert refused.status_code == 400
    assert "Skripteditorn" in refused.text  # the editor again, not the test area
    alert = re.search(
        r'<p class="notice notice-error" role="alert" id="catalog-error">(.*?)</p>',
        refused.text,
        re.S,
    )
    assert alert is not None
    assert "Verktyget har fortfarande en tillfällig adress (draft-…). Ge det en egen adress" in (
        alert.group(1)
    )
    assert 'href="#meta-slug"' in alert.group(1)
    assert 'aria-invalid="true"' in refused.text
    from_list = site.client.post(f"/admin/tools/{tool.id}/publish", data={"csrf_token": csrf})
    assert from_list.status_code == 400
    assert "Verktyget har fortfarande en tillfällig adress" in from_list.text
    stored = site.call(site.core.get_tool, site.users[Role.ADMIN], tool_id=tool.id)
    assert not stored.is_published
    renamed = site.client.post(
        f"/admin/tools/{tool.id}/metadata",
        data={
            "csrf_token": csrf,
            "title": "Närvarolista",
            "slug": "narvarolista",
            "professions": "larare",
            "categories": "administration",
        },
    )
    assert renamed.status_code == 303
    after = follow(site, renamed)
    assert "Det här är en tillfällig adress." not in after
    assert 'aria-describedby="needs-slug"' not in after
    shown = site.client.post(
        f"/admin/tools/{tool.id}/publish",
        data={"csrf_token": csrf, "next": f"/admin/tools/{tool.id}"},
    )
    assert shown.status_code == 303
    assert "Verktyget visas i katalogen." in follow(site, shown)
    site.login(Role.USER)
    assert site.client.get("/tools/narvarolista/run").status_code == 200


def test_maintainers_partial_TOOL_16(site: Site) -> None:
    tool = site.tool("Verktyg")
    csrf = site.login(Role.ADMIN)
    hx = {"HX-Request": "true", "X-CSRF-Token": csrf}
    listed = site.client.get(f"/admin/tools/{tool.id}/maintainers", headers=hx)
    assert "bidrag@skolan.se" in listed.text
    assert "<html" not in listed.text
    contributor = site.users[Role.CONTRIBUTOR]
    removed = site.client.delete(f"/admin/tools/{tool.id}/maintainers/{contributor.id}", headers=hx)
    assert removed.status_code == 200
    assert "Inga ansvariga tilldelade." in removed.text
    unknown = site.client.post(
        f"/admin/tools/{tool.id}/maintainers", data={"email": "ingen@skolan.se"}, headers=hx
    )
    assert "Ingen anvandare med e-post: ingen@skolan.se" in unknown.text
    added = site.client.post(
        f"/admin/tools/{tool.id}/maintainers", data={"email": contributor.email}, headers=hx
    )
    assert added.status_code == 200
    assert "bidrag@skolan.se" in added.text
    assert "Ta bort" in added.text
    teacher = site.client.post(
        f"/admin/tools/{tool.id}/maintainers",
        data={"email": site.users[Role.USER].email},
        headers=hx,
    )
    assert teacher.status_code == 400
    no_js = site.client.post(
        f"/admin/tools/{tool.id}/maintainers/{contributor.id}", data={"csrf_token": csrf}
    )
    assert no_js.status_code == 303
    assert "Ansvarig borttagen" in site.client.get("/admin/audit").text
    assert (
        site.client.delete(f"/admin/tools/{tool.id}/maintainers/{contributor.id}").status_code
        == 403
    )  # CSRF


def test_diff_between_versions(site: Site) -> None:
    tool = site.tool("Verktyg")
    admin = site.users[Role.ADMIN]
    one = site.call(site.core.create_draft_version, admin, tool_id=tool.id, source_code=SOURCE)
    two = site.call(
        site.core.save_draft_version,
        admin,
        version_id=one.id,
        expected_parent_version_id=one.id,
        source_code=SOURCE + "# <script>alert(1)</script>\n",
    )
    site.login(Role.ADMIN)
    page = site.client.get(f"/admin/tools/{tool.id}/diff?from={one.id}&to={two.id}")
    assert page.status_code == 200
    assert "Jämför versioner" in page.text
    assert "Version #1 jämförd med #2." in page.text
    assert '<tr class="diff-insert">' in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
    same = site.client.get(f"/admin/tools/{tool.id}/diff?from={one.id}&to={one.id}")
    assert "Källkoden är densamma." in same.text
    default = site.client.get(f"/admin/tools/{tool.id}/diff")
    assert "Version #1 jämförd med #2." in default.text
    site.login(Role.USER)
    assert site.client.get(f"/admin/tools/{tool.id}/diff").status_code == 403
