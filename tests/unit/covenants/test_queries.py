"""What the pages read, in a constant number of queries: the list, the covenant page and the clause page
(with 2,000 comments)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from civic.covenants import amendments, comments, drafters, queries, service
from civic.covenants.models import ClauseComment, CovenantStatus
from tests.statements import selects
from tests.unit.covenants.builders import LATER, NOW, PETS, set_status


def test_the_list_shows_a_place_and_the_places_under_it(session, world):
    w = world
    service.create_covenant(session, viewer=w.staff, scope_place_id=w.r.community.id, kind="owners",
                            title="北环社区管理规约", now=LATER)
    service.create_covenant(session, viewer=w.other_staff, scope_place_id=w.r.other_compound.id, kind="residents",
                            title="沙湖苑公约", now=LATER)
    session.commit()
    with selects(session) as seen:
        page = queries.list_covenants(session, place_id=w.r.community.id, number=1, size=20)
    assert len(seen) == 3
    assert [(row.title, row.place, row.clauses) for row in page.items] == [("北环社区管理规约", "北环社区", 0),
                                                                          ("南苑村小区文明公约", "南苑村小区", 1)]
    assert [r.title for r in queries.list_covenants(session, place_id=w.r.compound.id).items] == ["南苑村小区文明公约"]
    assert queries.list_covenants(session, place_id=w.r.district.id, status="drafting").total == 3
    second = queries.list_covenants(session, place_id=w.r.district.id, size=2, number=2)
    assert (second.total, second.pages, [r.title for r in second.items]) == (3, 2, ["南苑村小区文明公约"])


def test_the_covenant_page_counts_comments_and_open_amendments_in_six_queries(session, world):
    w = world
    set_status(session, w.covenant, CovenantStatus.consultation)
    covenant_id = w.covenant.id  # read before: selects() expires the session's objects
    with selects(session) as seen:
        queries.covenant_page(session, covenant_id=covenant_id, viewer=w.zhang, now=LATER)
    few = len(seen)
    for key in ("parking", "noise", "rubbish", "height", "shared_spaces", "renovation"):
        clause = service.add_clause(session, viewer=w.drafter, covenant_id=w.covenant.id, template=key, now=NOW)
        for n in range(3):
            comments.add_comment(session, viewer=w.li, clause_id=clause.id, body=f"意见{n}", now=NOW)
    amendments.propose_amendment(session, viewer=w.zhang, clause_id=w.clause.id, text=PETS + "补充。", reason="补充",
                                 now=NOW)
    hidden = comments.add_comment(session, viewer=w.li, clause_id=w.clause.id, body="离题", now=NOW)
    comments.hide_comment(session, viewer=w.staff, comment_id=hidden.id, reason="离题", now=NOW)
    drafters.request_to_join(session, viewer=w.li, covenant_id=w.covenant.id, note="", now=NOW)
    session.commit()
    with selects(session) as seen:
        page = queries.covenant_page(session, covenant_id=covenant_id, viewer=w.zhang, now=LATER)
    assert len(seen) == few <= 6  # five, and the covenant's earlier ratification votes
    assert [c.heading for c in page.clauses][:2] == ["文明养犬", "有序停车"] and len(page.clauses) == 7
    assert (page.clauses[0].comments, page.clauses[0].open_amendments) == (0, 1)  # the hidden one is not counted
    assert (page.clauses[1].comments, page.clauses[1].number, page.clauses[1].text[:4]) == (3, 1, "机动车按")
    assert [d.name for d in page.drafters] == ["周敏"] and page.requests == []  # requests: staff only
    assert page.standing.can_amend and page.standing.can_comment and not page.standing.can_edit and page.can_join
    staff_page = queries.covenant_page(session, covenant_id=w.covenant.id, viewer=w.staff, now=LATER)
    assert [r.name for r in staff_page.requests] == ["李娜"] and staff_page.standing.next_statuses == ["drafting"]
    li_page = queries.covenant_page(session, covenant_id=w.covenant.id, viewer=w.li, now=LATER)
    assert li_page.my_request == "pending" and not li_page.can_join
    anonymous = queries.covenant_page(session, covenant_id=w.covenant.id, viewer=None, now=LATER)
    assert not anonymous.standing.can_comment and anonymous.standing.roles == frozenset()


def add_comments(session, clause, author_id, count: int) -> None:
    """`count` comments fast: half first comments, half replies spread over them."""
    roots = count // 2
    session.execute(insert(ClauseComment), [
        {"clause_id": clause.id, "author_id": author_id, "body": f"意见{n}", "created_at": NOW + timedelta(seconds=n)}
        for n in range(roots)])
    root_ids = session.execute(select(ClauseComment.id).where(ClauseComment.clause_id == clause.id,
                                                              ClauseComment.root_id.is_(None))).scalars().all()
    session.execute(insert(ClauseComment), [
        {"clause_id": clause.id, "author_id": author_id, "body": f"回复{n}", "parent_id": root_ids[n % len(root_ids)],
         "root_id": root_ids[n % len(root_ids)], "created_at": NOW + timedelta(seconds=roots + n)}
        for n in range(count - roots)])
    session.commit()


def test_the_clause_page_reads_2000_comments_in_as_many_queries_as_two(session, world):
    w = world
    set_status(session, w.covenant, CovenantStatus.consultation)
    service.edit_clause(session, viewer=w.drafter, clause_id=w.clause.id, based_on_version_id=w.v1.id,
                        text=PETS.replace("及时制止", "立即制止"), now=NOW)
    amendment = amendments.propose_amendment(session, viewer=w.zhang, clause_id=w.clause.id,
                                             text=PETS.replace("及时制止", "立即制止").replace("束犬绳", "束牵引绳"),
                                             reason="更准确", now=NOW)
    amendments.accept_amendment(session, viewer=w.drafter, amendment_id=amendment.id, now=LATER)
    session.commit()
    add_comments(session, w.clause, w.li.account_id, 2)
    clause_id = w.clause.id  # read before: selects() expires the session's objects
    with selects(session) as seen:
        queries.clause_page(session, clause_id=clause_id, viewer=w.zhang, now=LATER)
    few = len(seen)
    add_comments(session, w.clause, w.li.account_id, 2000)
    with selects(session) as seen:
        page = queries.clause_page(session, clause_id=clause_id, viewer=w.zhang, now=LATER, comments_page=2, size=50)
    assert len(seen) == few <= 9
    assert page.comments.total == 1001 and len(page.comments.items) == 50 and page.comments.pages == 21
    assert all(len(thread.replies) == 1 for thread in page.comments.items)
    assert [v.number for v in page.versions] == [3, 2, 1] and page.current.number == 3
    assert (page.versions[0].source, page.versions[0].author, page.versions[0].saved_by,
            page.versions[0].amendment_id, page.versions[0].based_on) == ("amendment", "张伟", "周敏", amendment.id, 2)
    assert page.current.text == PETS.replace("及时制止", "立即制止").replace("束犬绳", "束牵引绳")
    assert page.standing.can_amend and not page.standing.can_edit and page.following
