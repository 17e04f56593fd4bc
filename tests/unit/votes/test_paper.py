"""Paper ballots against the real database: entered by one staff member, counted only when a second
confirms, never overwriting a counted ballot (a conflict staff resolve), rejected batches count nothing."""

from __future__ import annotations

import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from civic.audit import AuditEvent
from civic.auth.models import Role, ScopeType
from civic.db import session_scope
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.notifications import Notification
from civic.places.rules import Viewer
from civic.votes import chain, paper, paper_queries, service
from civic.votes.models import Ballot, BallotEvent, PaperBatch, PaperEntry, Vote, VoteStatus
from tests.unit.places.builders import build_register
from tests.unit.votes.test_vote_service import NOW, open_vote, staff_of, voter

LATER = NOW + timedelta(hours=1)


def staff(make_account, place, name: str) -> Viewer:
    account = make_account(name, roles=[(Role.staff, ScopeType.place, place.id)])
    return Viewer(account_id=account.id, staff_place_ids=frozenset({place.id}))


@pytest.fixture
def world(session, make_account):
    """The register, an open owners' vote on 南苑村小区, and three staff: two of 北环社区, one of 沙湖社区."""
    r = build_register(session)
    w = SimpleNamespace(r=r, vote=open_vote(session, r))
    w.a, w.b = staff(make_account, r.community, "李娟"), staff(make_account, r.community, "周敏")
    w.stranger = staff(make_account, r.other_community, "陈静")
    w.zhang, w.li = f"owner:{r.zhang.id}", f"owners:{r.li.id}+{r.wang.id}"
    return w


def enter(session, w, entries, viewer=None, note=""):
    batch = paper.enter_batch(session, viewer=viewer or w.a, vote_id=w.vote.id, entries=entries, note=note, now=NOW)
    session.commit()
    return batch


def ballots(session) -> dict[str, tuple[str, str]]:
    session.expire_all()
    return {b.voter_key: (b.choice, b.channel) for b in session.execute(select(Ballot)).scalars()}


def board(session, vote) -> int:
    chain.link(session, vote_id=vote.id)  # the board as published: every recorded event linked
    return chain.head(session, vote_id=vote.id)[0]


def statuses(session, batch) -> dict[str, str]:
    session.expire_all()
    return dict(session.execute(select(PaperEntry.voter_key, PaperEntry.status)
                                .where(PaperEntry.batch_id == batch.id)).all())


def test_a_batch_counts_nothing_until_a_second_staff_member_confirms_it(session, world):
    w = world
    batch = enter(session, w, [("1栋 101", "同意"), (w.li, "no")], note="第一投票箱")
    assert batch.status == "pending" and batch.entered_by == w.a.account_id and batch.note == "第一投票箱"
    assert ballots(session) == {} and board(session, w.vote) == 0
    assert service.counts(session, vote=w.vote).participation.heads == 0

    with pytest.raises(PermissionDenied) as refused:
        paper.confirm_batch(session, viewer=w.a, batch_id=batch.id, now=LATER)
    session.rollback()
    assert "another staff member" in str(refused.value)

    done = paper.confirm_batch(session, viewer=w.b, batch_id=batch.id, now=LATER)
    session.commit()
    assert (done.counted, done.conflicts) == (2, 0)
    assert ballots(session) == {w.zhang: ("yes", "paper"), w.li: ("no", "paper")}
    assert {b.cast_by for b in session.execute(select(Ballot)).scalars()} == {w.b.account_id}
    assert board(session, w.vote) == 2 and chain.verify(session, vote_id=w.vote.id)[0]
    live = service.counts(session, vote=w.vote)
    assert (live.yes.heads, live.no.heads) == (1, 1) and live == service.counts(session, vote=w.vote, live=False)
    assert statuses(session, batch) == {w.zhang: "counted", w.li: "counted"}
    stored = session.get(PaperBatch, batch.id)
    assert (stored.status, stored.confirmed_by, stored.confirmed_at) == ("confirmed", w.b.account_id, LATER)
    actions = session.execute(select(AuditEvent.action).where(AuditEvent.object_type == "paper_batch")).scalars().all()
    assert actions == ["vote.paper_batch_entered", "vote.paper_batch_confirmed"]

    with pytest.raises(Conflict):  # once only
        paper.confirm_batch(session, viewer=w.b, batch_id=batch.id, now=LATER)


def test_a_key_that_voted_online_becomes_a_conflict_and_is_not_overwritten(session, world):
    w = world
    service.cast_ballot(session, vote_id=w.vote.id, voter=voter(w.r.zhang), choice="no", now=NOW)
    session.commit()
    batch = enter(session, w, [("1栋 101", "yes"), ("1栋 102", "yes")])
    done = paper.confirm_batch(session, viewer=w.b, batch_id=batch.id, now=LATER)
    session.commit()
    assert (done.counted, done.conflicts) == (1, 1)
    assert ballots(session) == {w.zhang: ("no", "web"), w.li: ("yes", "paper")}
    assert statuses(session, batch) == {w.zhang: "conflict", w.li: "counted"}
    assert board(session, w.vote) == 2  # the web ballot and the one counted paper ballot


def conflict_of(session, w, choice="yes"):
    service.cast_ballot(session, vote_id=w.vote.id, voter=voter(w.r.zhang), choice="no", now=NOW)
    session.commit()
    batch = enter(session, w, [("1栋 101", choice)])
    paper.confirm_batch(session, viewer=w.b, batch_id=batch.id, now=LATER)
    session.commit()
    return session.execute(select(PaperEntry).where(PaperEntry.batch_id == batch.id)).scalar_one()


def test_staff_keep_the_online_ballot(session, world):
    w = world
    entry = conflict_of(session, w)
    before = board(session, w.vote)
    paper.resolve_conflict(session, viewer=w.a, entry_id=entry.id, keep="online",
                           reason="业主确认网上投票为本人意愿", now=LATER)
    session.commit()
    assert statuses(session, SimpleNamespace(id=entry.batch_id)) == {w.zhang: "kept_online"}
    assert ballots(session) == {w.zhang: ("no", "web")} and board(session, w.vote) == before
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "vote.paper_conflict_resolved")).scalar_one()
    assert event.body()["payload"]["keep"] == "online" and "业主确认" in event.body()["payload"]["reason"]


def test_staff_count_the_paper_ballot_instead(session, world):
    w = world
    entry = conflict_of(session, w)
    before = board(session, w.vote)
    paper.resolve_conflict(session, viewer=w.b, entry_id=entry.id, keep="paper", reason="纸质票在后，以纸质为准",
                           now=LATER)
    session.commit()
    assert statuses(session, SimpleNamespace(id=entry.batch_id)) == {w.zhang: "replaced"}
    assert ballots(session) == {w.zhang: ("yes", "paper")} and board(session, w.vote) == before + 1
    live = service.counts(session, vote=w.vote)
    assert (live.yes.heads, live.no.heads) == (1, 0) and live == service.counts(session, vote=w.vote, live=False)
    with pytest.raises(Conflict):  # resolved once
        paper.resolve_conflict(session, viewer=w.b, entry_id=entry.id, keep="online", reason="again", now=LATER)


@pytest.mark.parametrize(("keep", "reason", "field"), [("paper", "  ", "reason"), ("both", "why", "keep")])
def test_a_resolution_needs_a_choice_and_a_reason(session, world, keep, reason, field):
    w = world
    entry = conflict_of(session, w)
    with pytest.raises(InvalidInput) as error:
        paper.resolve_conflict(session, viewer=w.a, entry_id=entry.id, keep=keep, reason=reason, now=LATER)
    session.rollback()
    assert error.value.field == field
    assert statuses(session, SimpleNamespace(id=entry.batch_id)) == {w.zhang: "conflict"}


def test_conflicts_are_resolved_only_while_the_vote_is_open_and_only_by_its_staff(session, world):
    w = world
    entry = conflict_of(session, w)
    with pytest.raises(PermissionDenied):
        paper.resolve_conflict(session, viewer=w.stranger, entry_id=entry.id, keep="paper", reason="x", now=LATER)
    session.rollback()
    with pytest.raises(Conflict):
        paper.resolve_conflict(session, viewer=w.a, entry_id=entry.id, keep="paper", reason="x",
                               now=w.vote.closes_at + timedelta(minutes=1))
    session.rollback()
    with pytest.raises(NotFound):
        paper.resolve_conflict(session, viewer=w.a, entry_id=entry.id + 999, keep="paper", reason="x", now=LATER)


def test_a_rejected_batch_counts_nothing_and_tells_who_entered_it(session, world):
    w = world
    batch = enter(session, w, [("1栋 101", "yes")])
    with pytest.raises(PermissionDenied):
        paper.reject_batch(session, viewer=w.a, batch_id=batch.id, reason="typo", now=LATER)
    session.rollback()
    with pytest.raises(InvalidInput) as missing:
        paper.reject_batch(session, viewer=w.b, batch_id=batch.id, reason=" ", now=LATER)
    session.rollback()
    assert missing.value.field == "reason"
    paper.reject_batch(session, viewer=w.b, batch_id=batch.id, reason="第3张票与录入不符", now=LATER)
    session.commit()
    session.expire_all()
    stored = session.get(PaperBatch, batch.id)
    assert (stored.status, stored.confirmed_by) == ("rejected", w.b.account_id)
    assert ballots(session) == {} and board(session, w.vote) == 0
    note = session.execute(select(Notification)).scalar_one()
    assert note.account_id == w.a.account_id and note.body == "第3张票与录入不符"
    assert note.url == f"/votes/{w.vote.id}/paper"
    with pytest.raises(Conflict):  # a rejected batch cannot be confirmed afterwards
        paper.confirm_batch(session, viewer=w.b, batch_id=batch.id, now=LATER)


@pytest.mark.parametrize(("entries", "messages"), [
    ([], ["Enter at least one line"]),
    ([("9栋 901", "yes")], ["Line 1: “9栋 901” is not on the roll"]),
    ([("1栋 101", "maybe")], ["Line 1: “maybe” is not a choice in this vote"]),
    ([("1栋 101", "")], ["Line 1: write the unit or voter key, a comma, then the choice."]),
    ([("1栋 101", "yes"), ("1栋 102", "no"), ("1栋101", "no")], ["Line 3: “1栋101” is the same voter as line 1"]),
    ([("1栋 201", "yes"), ("1栋 101", "yes"), ("1栋 102", "perhaps")],  # 201 has only a tenant: not on the roll
     ["Line 1: “1栋 201” is not on the roll", "Line 3: “perhaps” is not a choice"]),
])
def test_bad_lines_are_each_named_and_nothing_is_written(session, world, entries, messages):
    w = world
    with pytest.raises(InvalidInput) as error:
        paper.enter_batch(session, viewer=w.a, vote_id=w.vote.id, entries=entries, note="", now=NOW)
    session.rollback()
    problems = getattr(error.value, "problems", [error.value])
    assert len(problems) == len(messages)
    for problem, expected in zip(problems, messages, strict=True):
        assert str(problem).startswith(expected)
    assert session.execute(select(func.count()).select_from(PaperBatch)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(PaperEntry)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(AuditEvent)
                           .where(AuditEvent.object_type == "paper_batch")).scalar_one() == 0


def test_a_batch_has_a_size_limit_and_a_note_limit(session, world):
    w = world
    with pytest.raises(InvalidInput, match="at most 500 lines"):
        paper.enter_batch(session, viewer=w.a, vote_id=w.vote.id, entries=[("1栋 101", "yes")] * 501, note="", now=NOW)
    with pytest.raises(InvalidInput) as long_note:
        paper.enter_batch(session, viewer=w.a, vote_id=w.vote.id, entries=[("1栋 101", "yes")], note="x" * 501,
                          now=NOW)
    assert long_note.value.field == "note"


def test_only_staff_of_the_place_enter_and_only_while_the_vote_is_open(session, world, make_account):
    w = world
    resident = make_account("张伟", person_id=w.r.zhang.id)
    for viewer in (w.stranger, Viewer(account_id=resident.id, person_id=w.r.zhang.id),
                   Viewer(account_id=None, staff_place_ids=frozenset({w.r.community.id}))):
        with pytest.raises(PermissionDenied):
            paper.enter_batch(session, viewer=viewer, vote_id=w.vote.id, entries=[("1栋 101", "yes")], note="",
                              now=NOW)
        session.rollback()
    later = service.create_vote(session, viewer=staff_of(w.r.community), scope_place_id=w.r.compound.id,
                                title="加装电梯", description="", matter="cn278-7-rebuild", kind="yes_no", secret=False,
                                opens_at=NOW + timedelta(days=1), closes_at=NOW + timedelta(days=3), now=NOW)
    session.commit()
    with pytest.raises(Conflict):
        paper.enter_batch(session, viewer=w.a, vote_id=later.id, entries=[("1栋 101", "yes")], note="", now=NOW)
    session.rollback()
    with pytest.raises(Conflict):  # closed (lazily, on this very access)
        paper.enter_batch(session, viewer=w.a, vote_id=w.vote.id, entries=[("1栋 101", "yes")], note="",
                          now=w.vote.closes_at)
    session.commit()
    assert session.get(Vote, w.vote.id).status == VoteStatus.closed
    with pytest.raises(NotFound):
        paper.enter_batch(session, viewer=w.a, vote_id=w.vote.id + 99, entries=[("1栋 101", "yes")], note="", now=NOW)


def test_a_pending_batch_cannot_be_confirmed_after_the_vote_closed(session, world):
    w = world
    batch = enter(session, w, [("1栋 101", "yes")])
    with pytest.raises(Conflict):
        paper.confirm_batch(session, viewer=w.b, batch_id=batch.id, now=w.vote.closes_at)
    session.commit()
    assert ballots(session) == {}
    paper.reject_batch(session, viewer=w.b, batch_id=batch.id, reason="投票已结束", now=w.vote.closes_at)  # tidy up


def test_an_options_vote_takes_option_numbers(session, world):
    w = world
    vote = service.create_vote(session, viewer=staff_of(w.r.community), scope_place_id=w.r.compound.id,
                               title="公共空间改造", description="", matter="poll", kind="options", secret=False,
                               opens_at=NOW, closes_at=NOW + timedelta(days=2), now=NOW, options=["A", "B"])
    session.commit()
    with pytest.raises(InvalidInput, match="write an option's number or abstain"):
        paper.enter_batch(session, viewer=w.a, vote_id=vote.id, entries=[("1栋 101", "yes")], note="", now=NOW)
    session.rollback()
    with pytest.raises(InvalidInput, match="names several voters"):  # a residents' roll: 李娜 and 王芳 live in 102
        paper.enter_batch(session, viewer=w.a, vote_id=vote.id, entries=[("1栋 102", "1")], note="", now=NOW)
    session.rollback()
    li = f"person:{w.r.li.id}"
    batch = paper.enter_batch(session, viewer=w.a, vote_id=vote.id, entries=[("1栋 101", "2"), (li, "弃权")],
                              note="", now=NOW)
    paper.confirm_batch(session, viewer=w.b, batch_id=batch.id, now=NOW)
    session.commit()
    assert ballots(session) == {f"person:{w.r.zhang.id}": ("option:2", "paper"), li: ("abstain", "paper")}


def test_a_ballot_that_arrives_after_the_check_is_kept_not_overwritten(session, world):
    """The guard behind the check: counting a paper line for a key that has a ballot by now writes nothing."""
    w = world
    service.cast_ballot(session, vote_id=w.vote.id, voter=voter(w.r.zhang), choice="no", now=NOW)
    session.commit()
    roll_entry = session.execute(select(service.RollEntry).where(service.RollEntry.voter_key == w.zhang)).scalar_one()
    assert paper._count(session, w.vote, roll_entry, "yes", w.b.account_id, LATER) is False
    session.commit()
    assert ballots(session) == {w.zhang: ("no", "web")} and board(session, w.vote) == 1
    assert service.counts(session, vote=w.vote).no.heads == 1


def test_two_staff_confirming_at_once_count_the_batch_once(session, engine, world, make_account):
    w = world
    c = staff(make_account, w.r.community, "吴刚")
    batch = enter(session, w, [("1栋 101", "yes"), ("1栋 102", "no")])
    outcomes, errors = [], []
    start = threading.Barrier(2)

    def confirm(viewer: Viewer) -> None:
        try:
            start.wait()
            with session_scope(engine) as s:
                outcomes.append(paper.confirm_batch(s, viewer=viewer, batch_id=batch.id, now=LATER).counted)
        except Conflict as exc:
            errors.append(exc)

    threads = [threading.Thread(target=confirm, args=(v,)) for v in (w.b, c)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    session.rollback()
    session.expire_all()
    assert outcomes == [2] and len(errors) == 1
    assert session.execute(select(func.count()).select_from(Ballot)).scalar_one() == 2
    assert session.execute(select(func.count()).select_from(BallotEvent)).scalar_one() == 2
    live = service.counts(session, vote=w.vote)
    assert live.participation.heads == 2 and live == service.counts(session, vote=w.vote, live=False)


def test_on_a_secret_vote_staff_see_choices_only_while_a_batch_waits_for_confirmation(session, world):
    w = world
    vote = open_vote(session, w.r, secret=True)
    service.cast_ballot(session, vote_id=vote.id, voter=voter(w.r.zhang), choice="no", now=NOW)
    first = paper.enter_batch(session, viewer=w.a, vote_id=vote.id, entries=[("1栋 101", "yes"), ("1栋 102", "no")],
                              note="", now=NOW)
    waiting = paper.enter_batch(session, viewer=w.a, vote_id=vote.id, entries=[("1栋 102", "abstain")], note="", now=NOW)
    paper.confirm_batch(session, viewer=w.b, batch_id=first.id, now=LATER)
    session.commit()
    page = paper_queries.paper_page(session, viewer=w.b, vote_id=vote.id, number=1, size=20, now=LATER)
    rows = {b.id: b for b in page.batches.items}
    assert [b.id for b in page.batches.items] == [waiting.id, first.id]  # pending first
    assert [(line.voter_key, line.choice, line.voted) for line in rows[waiting.id].lines] == [(w.li, "abstain", True)]
    assert rows[first.id].lines == [] and rows[first.id].tally == {"counted": 1, "conflict": 1}
    [conflict] = page.conflicts
    assert (conflict.voter_key, conflict.units, conflict.counted_channel) == (w.zhang, "1栋 101", "web")
    assert conflict.paper_choice is None and conflict.counted_choice is None
    with pytest.raises(PermissionDenied):
        paper_queries.paper_page(session, viewer=w.stranger, vote_id=vote.id, number=1, size=20, now=LATER)
