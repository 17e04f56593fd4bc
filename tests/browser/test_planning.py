"""A planning map end to end in a real browser, on the demo: a resident of 北环社区 draws an area inside the
project's boundary and submits it; it appears in the list and on the map; a planner moves it on. The list
view and the map page are WCAG 2.1 AA clean (axe-core), and nothing is fetched from another host."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select
from sqlmodel import Session

from civic import i18n
from civic.db import make_engine
from civic.fixtures import DEMO_PASSWORD
from civic.planning import geo
from civic.planning.demo_text import BEIHUAN_TITLE
from civic.planning.models import PlanningProject, PlanningProposal, ProposalStatus
from tests.browser.test_contests import sign_out
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser

_ = i18n.translations("zh-Hans").gettext  # the default test browser speaks Chinese
TITLE = "儿童游乐区遮阳棚"
PLACE = "南苑村小区中心空地"
# The area drawn: pixel offsets from the centre of the map, which opens fitted to the project's boundary.
CORNERS = [(-40, -30), (40, -30), (40, 30), (-40, 30)]


@pytest.fixture(scope="module")
def db(live_server) -> Iterator[Engine]:
    live_server.civic("fixtures", "load", "demo")
    engine = make_engine(live_server.env["CIVIC_DATABASE_URL"])
    yield engine
    engine.dispose()


def project_of(db: Engine) -> PlanningProject:
    with Session(db) as session:
        return session.execute(select(PlanningProject).where(PlanningProject.title == BEIHUAN_TITLE)).scalar_one()


def map_ready(page: Page) -> None:
    """Leaflet has built the map (its panes exist) and the loading message is gone."""
    canvas = page.locator(".planning-map-canvas")
    expect(canvas.locator(".leaflet-map-pane")).to_be_attached(timeout=15_000)
    expect(page.locator(".planning-map-status")).to_have_text("")


def test_a_resident_draws_an_area_and_a_planner_moves_it_on(db, live_server, page: Page, axe_check,
                                                            assert_same_origin, assert_no_csp_violations):
    project = project_of(db)
    sign_in(page, "owner@civic.test", DEMO_PASSWORD, axe_check)

    # The project page: the list first, the map beside it; both clean for axe.
    page.goto(f"{live_server.url}/planning/{project.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(BEIHUAN_TITLE)
    map_ready(page)
    axe_check(page)

    # Add to the map: the area is drawn with Leaflet.draw, which writes it into the form's hidden field.
    page.get_by_role("link", name=_("Add to the map"), exact=True).click()
    map_ready(page)
    page.get_by_label(_("Title")).fill(TITLE)
    page.get_by_label(_("pain")).check()
    page.get_by_label(_("The place in words")).fill(PLACE)
    page.locator(".planning-map-canvas").scroll_into_view_if_needed()  # mouse clicks use viewport positions
    page.locator(".leaflet-draw-draw-polygon").click()
    page.wait_for_timeout(300)  # the drawing handler starts listening after the button's own click
    box = page.locator(".planning-map-canvas").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in CORNERS:
        page.mouse.click(cx + dx, cy + dy)
        page.wait_for_timeout(150)  # Leaflet.draw ignores clicks that come faster than a double click
    page.locator(".leaflet-draw-actions a", has_text=_("Finish")).click()  # the toolbar in the reader's language
    expect(page.locator("#geometry")).not_to_have_value("")
    drawn = json.loads(page.locator("#geometry").input_value())
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == len(CORNERS) + 1
    axe_check(page)
    page.get_by_role("button", name=_("Add it to the map"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    with Session(db) as session:
        proposal = session.execute(select(PlanningProposal).where(PlanningProposal.title == TITLE)).scalar_one()
        stored = session.get(PlanningProject, project.id)
    assert proposal.kind == "polygon" and proposal.place_label == PLACE
    geo.inside(geo.Shape(kind=proposal.kind, geojson=proposal.geometry, min_lon=0, min_lat=0, max_lon=0,
                         max_lat=0, lon=0, lat=0).geometry, geo.boundary_of(stored))

    # In the list, with its place in words, and on the map: the area is drawn as a path.
    page.goto(f"{live_server.url}/planning/{project.id}")
    row = page.locator(".proposal-list li", has_text=TITLE)
    expect(row).to_contain_text(PLACE)
    expect(row).to_contain_text(_("new, not yet reviewed"))
    map_ready(page)
    expect(page.locator(".planning-map-canvas path.leaflet-interactive")).not_to_have_count(0, timeout=10_000)
    features = page.request.get(f"{live_server.url}/api/planning/{project.id}/features.geojson").json()
    assert TITLE in [f["properties"].get("title") for f in features["features"]]

    # The same list, filtered by text, without the map getting in the way.
    page.get_by_label(_("Words"), exact=True).fill(TITLE)
    page.get_by_role("button", name=_("Filter"), exact=True).click()
    expect(page.locator(".proposal-list li")).to_have_count(1)
    expect(page.locator(".proposal-list li")).to_contain_text(TITLE)
    map_ready(page)  # a fresh map container after the HTMX swap
    sign_out(page)

    # The planner moves it on; the page says so in words.
    sign_in(page, "planner@civic.test", DEMO_PASSWORD, axe_check)
    page.goto(f"{live_server.url}/planning/proposals/{proposal.id}")
    page.get_by_label(_("under review")).check()
    page.get_by_role("button", name=_("Change the status"), exact=True).click()
    expect(page.locator(".planning-status")).to_contain_text(_("under review"))
    axe_check(page)
    with Session(db) as session:
        assert session.get(PlanningProposal, proposal.id).status == ProposalStatus.under_review

    assert_same_origin()
    assert_no_csp_violations()
