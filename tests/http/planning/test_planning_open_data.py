"""The planning maps' open data: /api/planning/ lists published projects with their GeoJSON link, and
/open-data links them; drafts are not open data."""

from civic import clock
from civic.planning.models import Phase, PlanningProject, ProjectStatus
from tests.unit.planning.builders import add_proposal, build_planning_world, inside_point


def test_published_projects_are_listed_with_their_geojson(client, session, make_account):
    w = build_planning_world(session, make_account, phase=Phase.discovery, now=clock.now())
    add_proposal(session, w, author=w.zhang)
    add_proposal(session, w, author=w.li, title="社区花园很美", category="beauty", geometry=inside_point(0.001, 0.001))
    draft = PlanningProject(**{**w.project.model_dump(exclude={"id"}), "title": "草稿项目",
                               "status": ProjectStatus.draft, "published_at": None})
    session.add(draft)
    session.commit()

    listed = client.get("/api/planning/").json()["projects"]
    assert [p["title"] for p in listed] == [w.project.title]
    assert listed[0]["proposals"] == 2
    assert listed[0]["features"] == f"/api/planning/{w.project.id}/features.geojson"
    assert listed[0]["bbox"] == [w.project.min_lon, w.project.min_lat, w.project.max_lon, w.project.max_lat]
    collection = client.get(listed[0]["features"]).json()
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 2

    page = client.get("/open-data").text
    assert f'href="/api/planning/{w.project.id}/features.geojson"' in page
    assert "草稿项目" not in page
