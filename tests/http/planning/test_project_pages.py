"""Planning project pages: the index, starting a project (boundary pasted or imported), editing and
publishing it, its planners, categories and themes, who may open each, and the project page's filter (the
same for the list and the map, with and without HTMX)."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from civic import clock
from civic.auth.models import Account, RoleGrant
from civic.errors import InvalidInput
from civic.planning.models import (
    Phase,
    PlanningCategory,
    PlanningProject,
    PlanningTheme,
    ProjectStatus,
    ProposalStatus,
)
from civic.web import planning_forms
from tests.unit.planning.builders import BOUNDARY, CENTRE, HALF, add_proposal, build_planning_world, square

PEOPLE = ("staff", "other_staff", "planner", "zhang", "stranger")


def world(session, make_account, phase: Phase):
    w = build_planning_world(session, make_account, phase=phase, now=clock.now())
    for name in PEOPLE:
        setattr(w, f"{name}_account", session.get(Account, getattr(w, name).account_id))
    w.url = f"/planning/{w.project.id}"
    return w


@pytest.fixture
def w(session, make_account):
    return world(session, make_account, Phase.discovery)


def count(session, model) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model)).scalar_one()


FORM = {"title": "南苑村微更新", "description": "**美与痛**", "boundary": "", "boundary_geojson": json.dumps(BOUNDARY),
        "discovery_opens_at": "2030-01-01T09:00", "proposals_opens_at": "2030-02-01T09:00",
        "feedback_opens_at": "2030-03-01T09:00", "closes_at": "2030-03-15 18:00", "base_layers": ["compounds"]}


def form_values(html: str) -> dict:
    """The text inputs and textareas of a page's form, as a browser would send them back."""
    values = {name: unescape(value) for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', html)}
    values.update({name: unescape(text) for name, text in re.findall(r'<textarea[^>]*name="(\w+)"[^>]*>([^<]*)</textarea>',
                                                                     html)})
    values.pop("csrf_token", None)
    return values


# ---- the index ------------------------------------------------------------------------------------------

def test_the_index_shows_published_projects_and_drafts_to_their_planners_and_staff(client, session, w):
    draft = PlanningProject(**{**w.project.model_dump(exclude={"id"}), "title": "草稿项目",
                               "status": ProjectStatus.draft, "published_at": None})
    session.add(draft)
    session.commit()
    text = client.get("/planning").text
    assert "北环社区微更新" in text and "武昌区 › 水果湖街 › 北环社区" in text and "discovery" in text
    assert "草稿项目" not in text and 'href="/planning/new"' not in text
    client.login_as(w.staff_account)
    text = client.get("/planning").text
    assert "草稿项目" in text and 'href="/planning/new"' in text
    for name in ("other_staff", "zhang", "stranger", "planner"):  # the planner plans the other project only
        client.login_as(getattr(w, f"{name}_account"))
        assert "草稿项目" not in client.get("/planning").text, name
        assert client.get(f"/planning/{draft.id}").status_code == 404, name
    client.cookies.clear()
    assert client.get(f"/planning/{draft.id}").status_code == 404


# ---- starting a project ----------------------------------------------------------------------------------

def test_staff_start_a_project_with_a_pasted_boundary(client, session, w):
    client.login_as(w.staff_account)
    page = client.get("/planning/new")
    assert page.status_code == 200 and "武昌区 › 水果湖街 › 北环社区 › 南苑村小区" in page.text
    assert "沙湖社区" not in page.text  # only the places the viewer is staff of
    assert 'data-mode="boundary"' in page.text and 'data-geometry-target="boundary"' in page.text
    answer = client.post_form("/planning/new", {**FORM, "place": str(w.r.community.id)})
    assert answer.status_code == 303
    session.rollback()
    project = session.execute(select(PlanningProject).where(PlanningProject.title == "南苑村微更新")).scalar_one()
    assert answer.headers["location"] == f"/planning/{project.id}"
    assert (project.status, project.base_layers, project.place_id) == (ProjectStatus.draft, "compounds", w.r.community.id)
    assert project.closes_at.isoformat() == "2030-03-15T10:00:00+00:00"  # 18:00 Wuhan time
    page = client.get(f"/planning/{project.id}")
    assert "only its planners and staff see it" in page.text and "<strong>美与痛</strong>" in page.text


def test_an_imported_file_wins_over_pasted_text(client, session, w):
    client.login_as(w.staff_account)
    data = {**FORM, "place": str(w.r.compound.id), "boundary_geojson": "not GeoJSON",
            "csrf_token": client.csrf_token()}
    wide = json.dumps({"type": "Feature", "properties": {}, "geometry": square(*CENTRE, 2 * HALF)}).encode()
    answer = client.post("/planning/new", data=data, files={"boundary_file": ("boundary.geojson", wide,
                                                                              "application/geo+json")})
    assert answer.status_code == 303, answer.text
    session.rollback()
    project = session.execute(select(PlanningProject).where(PlanningProject.title == "南苑村微更新")).scalar_one()
    assert project.max_lon == pytest.approx(CENTRE[0] + 2 * HALF)
    page = client.post("/planning/new", data=data, files={"boundary_file": ("boundary.txt", wide, "text/plain")})
    assert page.status_code == 400 and "Import the boundary as a .geojson or .json file." in page.text


def test_the_boundary_comes_from_the_file_then_the_pasted_text_then_the_map():
    values, problems = {"boundary": "drawn", "boundary_geojson": "pasted"}, []
    assert planning_forms.boundary_text(values, "a.GeoJSON", b"\xef\xbb\xbffile", problems) == "file"  # BOM dropped
    assert planning_forms.boundary_text(values, "", b"", problems) == "pasted"
    assert planning_forms.boundary_text({**values, "boundary_geojson": ""}, "", b"", problems) == "drawn"
    assert planning_forms.boundary_text({"boundary": "", "boundary_geojson": ""}, "", b"", problems) is None
    assert not problems
    big = b" " * (planning_forms.BOUNDARY_FILE_MAX + 1)
    for name, data in (("a.json", big), ("a.json", b"\xff\xfe"), ("a.kml", b"{}")):
        assert planning_forms.boundary_text(values, name, data, problems) is None
    assert [type(p) for p in problems] == [InvalidInput] * 3 and {p.field for p in problems} == {"boundary"}


def test_every_bad_field_is_reported_at_once_and_nothing_is_written(client, session, w):
    client.login_as(w.staff_account)
    before = count(session, PlanningProject)
    page = client.post_form("/planning/new", {**FORM, "place": "", "discovery_opens_at": "soon",
                                              "closes_at": ""})
    assert page.status_code == 400
    for message in ("Choose the community or compound", "Enter when discovery opens as a date and a time",
                    "Give the time the project closes."):
        assert message in page.text
    page = client.post_form("/planning/new", {**FORM, "place": str(w.r.community.id), "boundary_geojson": "",
                                              "feedback_opens_at": "2029-01-01T09:00"})
    assert page.status_code == 400 and "Design feedback must open after" in page.text
    page = client.post_form("/planning/new", {**FORM, "place": str(w.r.community.id), "boundary_geojson": ""})
    assert page.status_code == 400 and "Draw the boundary on the map, or paste or import it as GeoJSON." in page.text
    assert 'aria-describedby="boundary-error boundary-hint"' in page.text
    assert count(session, PlanningProject) == before


def test_only_staff_start_projects_and_only_in_their_places(client, session, w):
    before = count(session, PlanningProject)
    for name in ("zhang", "stranger", "planner"):
        client.login_as(getattr(w, f"{name}_account"))
        assert client.get("/planning/new").status_code == 403
        assert client.post_form("/planning/new", {**FORM, "place": str(w.r.community.id)}).status_code == 403
    client.login_as(w.other_staff_account)
    assert client.post_form("/planning/new", {**FORM, "place": str(w.r.community.id)}).status_code == 403
    client.cookies.clear()
    assert client.get("/planning/new").status_code == 303
    assert count(session, PlanningProject) == before


# ---- editing, publishing ------------------------------------------------------------------------------

def test_planners_edit_a_project_and_others_cannot(client, session, w):
    client.login_as(w.planner_account)
    form = client.get(f"{w.url}/edit")
    assert form.status_code == 200 and 'value="北环社区微更新"' in form.text
    assert 'data-mode="boundary"' in form.text and 'id="boundary" name="boundary" value="{&#34;type' in form.text
    values = {**form_values(form.text), "description": "新的说明", "base_layers": ["tiles", "buildings"]}
    answer = client.post_form(f"{w.url}/edit", values)
    assert answer.status_code == 303, answer.text
    session.rollback()
    project = session.get(PlanningProject, w.project.id)
    session.refresh(project)
    assert (project.description, project.base_layers, project.boundary) == (
        "新的说明", "tiles,buildings", w.project.boundary)
    changes = {"edit": {**values, "description": "改"}, "categories": {"action": "add", "label": "改", "colour": "#000000"},
               "themes": {"action": "create", "name": "改", "description": ""}, "people": {"contact": "138 0000 0001"}}
    before = [count(session, model) for model in (PlanningCategory, PlanningTheme, RoleGrant)]
    for name in ("zhang", "other_staff", "stranger", None):
        if name:
            client.login_as(getattr(w, f"{name}_account"))
        else:
            client.cookies.clear()
        for path, data in changes.items():
            refused = 303 if name is None else 403  # anonymous: to the sign-in page
            assert client.get(f"{w.url}/{path}").status_code == refused, (name, path)
            assert client.post_form(f"{w.url}/{path}", data).status_code == refused, (name, path)
    assert [count(session, model) for model in (PlanningCategory, PlanningTheme, RoleGrant)] == before
    session.refresh(project)
    assert project.description == "新的说明"


def test_publishing_a_draft_after_the_confirmation_on_the_edit_page(client, session, make_account):
    w = world(session, make_account, Phase.draft)
    client.login_as(w.zhang_account)
    assert client.get(f"{w.url}/edit").status_code == 404  # a draft does not exist for residents
    assert client.post_form(f"{w.url}/publish").status_code == 404
    client.login_as(w.planner_account)
    page = client.get(f"{w.url}/edit")
    assert 'id="publish"' in page.text and f'action="/planning/{w.project.id}/publish"' in page.text
    assert client.post_form(f"{w.url}/publish").status_code == 303
    session.rollback()
    assert session.get(PlanningProject, w.project.id).status == ProjectStatus.published
    assert 'id="publish"' not in client.get(f"{w.url}/edit").text


# ---- planners, categories, themes ----------------------------------------------------------------------

def test_staff_appoint_a_planner_and_remove_them_after_confirming(client, session, make_account, w):
    person = make_account("规划师 林静", phone="+8613800000009", locale="en")
    client.login_as(w.staff_account)
    assert client.post_form(f"{w.url}/people", {"contact": "138 0000 0009"}).status_code == 303
    page = client.get(f"{w.url}/people")
    assert "规划师 林静" in page.text and "社区规划师" in page.text
    session.rollback()
    grant_id = session.execute(select(RoleGrant.id).where(RoleGrant.account_id == person.id)).scalar_one()
    remove = f"{w.url}/planners/{grant_id}/remove"
    confirm = client.get(remove)
    assert confirm.status_code == 200 and "Remove 规划师 林静 as a planner of this project?" in confirm.text
    assert f'action="{remove}"' in confirm.text
    client.login_as(w.planner_account)
    assert client.post_form(remove).status_code == 403
    client.login_as(w.staff_account)
    assert client.post_form(remove).status_code == 303
    session.rollback()
    assert session.get(RoleGrant, grant_id) is None
    page = client.post_form(f"{w.url}/people", {"contact": "nobody@example.test"})
    assert page.status_code == 400 and "No active account has the e-mail address" in page.text


def test_planners_keep_the_categories_and_themes(client, session, w):
    client.login_as(w.planner_account)
    url = f"{w.url}/categories"
    assert client.post_form(url, {"action": "add", "label": "停车", "colour": "#cc79a7"}).status_code == 303
    page = client.post_form(url, {"action": "add", "label": "停车", "colour": "#cc79a7"})
    assert page.status_code == 400 and "already has a category named “停车”" in page.text
    assert 'aria-describedby="label-new-error"' in page.text
    session.rollback()  # a fresh snapshot: the app has written meanwhile
    add_proposal(session, w, author=w.zhang, category="beauty")
    page = client.post_form(url, {"action": "remove", "item": str(w.categories["beauty"].id)})
    assert page.status_code == 409 and "This category is in use (proposals: 1)" in page.text
    session.rollback()
    assert count(session, PlanningCategory) == 4
    url = f"{w.url}/themes"
    assert client.post_form(url, {"action": "create", "name": "南门更安全", "description": ""}).status_code == 303
    session.rollback()
    theme = session.execute(select(PlanningTheme)).scalar_one()
    assert client.post_form(url, {"action": "update", "item": str(theme.id), "name": "南门", "description": "灯"}
                            ).status_code == 303
    assert "南门" in client.get(url).text
    assert client.post_form(url, {"action": "delete", "item": str(theme.id)}).status_code == 303
    assert count(session, PlanningTheme) == 0


# ---- the project page ------------------------------------------------------------------------------------

def test_the_project_page_shows_what_each_viewer_may_do(client, w):
    text = client.get(w.url).text
    assert "Add to the map" not in text and f'href="{w.url}/edit"' not in text
    assert 'aria-current="step"' in text and "社区规划师" in text  # the phase now, the planners' names
    client.login_as(w.zhang_account)
    assert f'href="{w.url}/proposals/new"' in client.get(w.url).text
    client.login_as(w.staff_account)
    text = client.get(w.url).text
    for path in ("edit", "people", "categories", "themes"):
        assert f'href="{w.url}/{path}"' in text, path


def test_the_filter_chooses_the_list_and_the_map_alike(client, session, w):
    lamp = add_proposal(session, w, author=w.zhang, title="南门路灯太暗", category="pain", place_label="南门外")
    add_proposal(session, w, author=w.li, title="老槐树", category="beauty", status=ProposalStatus.in_plan)
    for i in range(25):
        add_proposal(session, w, author=w.li, title=f"路灯{i}", category="pain")
    pain = w.categories["pain"].id
    page = client.get(f"{w.url}?category={pain}&q=路灯")  # a plain GET form: no JavaScript needed
    assert page.status_code == 200 and "<html" in page.text
    assert "26 proposals match." in page.text and "老槐树" not in page.text
    assert f'href="?category={pain}&amp;q=%E8%B7%AF%E7%81%AF&amp;page=2"' in page.text  # the pages keep the filter
    assert f'data-filter-query="category={pain}&amp;q=%E8%B7%AF%E7%81%AF"' in page.text  # so does the map
    fragment = client.get(f"{w.url}?category={pain}&q=路灯&page=2", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and "<h1" not in fragment.text
    assert f'href="/planning/proposals/{lamp.id}">南门路灯太暗</a>' in fragment.text  # the oldest, on page 2
    assert "pain" in fragment.text and "new, not yet reviewed" in fragment.text and "南门外" in fragment.text
    assert fragment.text.index("proposal-list") < fragment.text.index("data-map-block")  # the list first
    assert f'data-filter-query="category={pain}&amp;q=%E8%B7%AF%E7%81%AF"' in fragment.text
    empty = client.get(f"{w.url}?q=没有这个", headers={"HX-Request": "true"})
    assert "No proposals match these filters." in empty.text and f'href="{w.url}#proposals"' in empty.text
