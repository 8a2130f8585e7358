"""R8–R11 suggestions and review (SUG-01–SUG-16, AMB-12)."""

from __future__ import annotations

from uuid import UUID, uuid4

from skriptoteket.domain.identity import Role
from skriptoteket.domain.suggestions import Suggestion, SuggestionStatus

from .conftest import Site

FORM = {
    "title": "Närvarolista",
    "description": "Räknar frånvaro per elev",
    "professions": ["larare", "rektor"],
    "categories": ["administration"],
}


def _submit(site: Site) -> Suggestion:
    return site.call(
        site.core.submit_suggestion,
        site.users[Role.CONTRIBUTOR],
        title="Närvarolista",
        description="Räknar frånvaro",
        professions=["larare"],
        categories=["administration"],
    )


def test_form_texts_and_submit_SUG_04(site: Site) -> None:
    csrf = site.login(Role.CONTRIBUTOR)
    page = site.client.get("/suggestions/new")
    for text in (
        "Föreslå ett skript",
        "Titel",
        "Beskrivning",
        "Yrken",
        "Kategorier",
        "Skicka förslag",
    ):
        assert text in page.text
    done = site.client.post("/suggestions/new", data={**FORM, "csrf_token": csrf})
    assert done.status_code == 303
    assert done.headers["location"] == "/suggestions/new?submitted=1"
    shown = site.client.get(done.headers["location"])
    assert "Förslaget är skickat och ligger i granskningskön." in shown.text


def test_validation_rerenders_with_values_and_swedish_message_SUG_02(site: Site) -> None:
    csrf = site.login(Role.CONTRIBUTOR)
    bad = site.client.post(
        "/suggestions/new",
        data={**FORM, "title": "  ", "description": "Behåll mig", "csrf_token": csrf},
    )
    assert bad.status_code == 400
    assert "Titel krävs." in bad.text
    assert "Behåll mig" in bad.text
    assert 'value="rektor" checked' in bad.text
    no_tags = site.client.post(
        "/suggestions/new",
        data={"title": "T", "description": "D", "categories": ["ovrigt"], "csrf_token": csrf},
    )
    assert no_tags.status_code == 400
    assert "Välj minst ett yrke." in no_tags.text
    unknown = site.client.post(
        "/suggestions/new", data={**FORM, "professions": ["pilot"], "csrf_token": csrf}
    )
    assert unknown.status_code == 400
    assert "Okänt yrke." in unknown.text


def test_user_role_gets_403_SUG_01(site: Site) -> None:
    site.login(Role.USER)
    page = site.client.get("/suggestions/new")
    assert page.status_code == 403
    assert "Du saknar behörighet för detta." in page.text


def test_review_queue_and_detail_texts_SUG_06_SUG_07(site: Site) -> None:
    site.login(Role.ADMIN)
    assert "Inga förslag ännu." in site.client.get("/admin/suggestions").text
    suggestion = _submit(site)
    queue = site.client.get("/admin/suggestions")
    for text in ("Förslag", "Närvarolista", "Inskickat", "Av", "bidrag@skolan.se", "Öppna"):
        assert text in queue.text
    assert f'href="/admin/suggestions/{suggestion.id}"' in queue.text
    detail = site.client.get(f"/admin/suggestions/{suggestion.id}")
    for text in (
        "Granska förslag",
        "Historik",
        "Inga beslut ännu.",
        "Beslut",
        "Typ",
        "Acceptera (ev. med ändringar)",
        "Avslå",
        "Fälten nedan används bara vid accept.",
        "Spara beslut",
    ):
        assert text in detail.text


def test_unknown_suggestion_is_404_SUG_07(site: Site) -> None:
    site.login(Role.ADMIN)
    for value in (str(uuid4()), "inte-ett-id"):
        page = site.client.get(f"/admin/suggestions/{value}")
        assert page.status_code == 404
        assert "Förslaget hittades inte." in page.text


def test_accept_with_edits_creates_a_draft_tool_SUG_12_SUG_13_SUG_15(site: Site) -> None:
    suggestion = _submit(site)
    csrf = site.login(Role.ADMIN)
    url = f"/admin/suggestions/{suggestion.id}"
    done = site.client.post(
        f"{url}/decision",
        data={
            "decision": "accept",
            "rationale": "Bra idé",
            "title": "Närvaro per elev",
            "csrf_token": csrf,
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"{url}?saved=1"
    page = site.client.get(done.headers["location"])
    assert "Beslut sparat." in page.text
    assert "Förslaget är redan granskat." in page.text
    assert "Utkast-tool" in page.text
    assert "Skapad tool" in page.text
    tools = site.call(site.core.list_all_tools, site.users[Role.ADMIN])
    assert [t.title for t in tools] == ["Närvaro per elev"]
    assert not tools[0].is_published
    again = site.client.post(
        f"{url}/decision", data={"decision": "deny", "rationale": "x", "csrf_token": csrf}
    )
    assert again.status_code == 409
    assert "Förslaget är redan granskat." in again.text


def test_deny_ignores_edit_fields_and_creates_no_tool_SUG_08(site: Site) -> None:
    suggestion = _submit(site)
    csrf = site.login(Role.ADMIN)
    done = site.client.post(
        f"/admin/suggestions/{suggestion.id}/decision",
        data={"decision": "deny", "rationale": "Nej", "title": "", "csrf_token": csrf},
    )
    assert done.status_code == 303
    found = site.call(
        site.core.get_suggestion_for_review,
        site.users[Role.ADMIN],
        suggestion_id=UUID(str(suggestion.id)),
    )
    assert found.suggestion.status is SuggestionStatus.DENIED
    assert site.call(site.core.list_all_tools, site.users[Role.ADMIN]) == []


def test_unknown_decision_and_missing_rationale_are_400_AMB_12_SUG_09(site: Site) -> None:
    suggestion = _submit(site)
    csrf = site.login(Role.ADMIN)
    url = f"/admin/suggestions/{suggestion.id}/decision"
    odd = site.client.post(url, data={"decision": "kanske", "rationale": "x", "csrf_token": csrf})
    assert odd.status_code == 400
    assert "Okänt beslut." in odd.text
    empty = site.client.post(url, data={"decision": "deny", "rationale": " ", "csrf_token": csrf})
    assert empty.status_code == 400
    assert "Motivering krävs." in empty.text
