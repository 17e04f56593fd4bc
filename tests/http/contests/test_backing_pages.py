"""Backing pages: pledging (acknowledged with its number, committed before the redirect), bad amounts (400,
nothing written), cancelling after a confirmation page that says why the 24-hour rule refuses, the ledger and
its CSV for treasurers and staff, confirming money received, and settlement done by the first page after the
deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic.contests.models import (
    Contest,
    ContestEntry,
    EntryStatus,
    Funding,
    MaterialNeed,
    Phase,
    Pledge,
    PledgeKind,
    PledgeStatus,
)
from civic.notifications import Notification
from tests.http.contests import entry_world, sign_in


def count(session, model, *where) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


@pytest.fixture
def w(session, make_account):
    w = entry_world(session, make_account, Phase.backing, money_goal_fen=100_00, hours_goal=10)
    w.soil = MaterialNeed(entry_id=w.entry.id, item="土", quantity=5, unit="袋")
    session.add(w.soil)
    session.commit()
    return w


def test_a_resident_pledges_and_the_pledge_is_acknowledged_with_its_number(client, session, w):
    sign_in(client, session, w.zhang)
    page = client.get(w.url).text
    assert f'action="{w.url}/pledges"' in page and 'value="materials"' in page and "土 (袋)" in page
    answer = client.post_form(f"{w.url}/pledges", {"kind": "money", "amount": "60.50", "note": "加油"})
    assert answer.status_code == 303 and answer.headers["location"] == f"{w.url}#my-pledges"
    session.rollback()
    pledge = session.execute(select(Pledge)).scalar_one()  # committed before the redirect
    assert (pledge.amount_fen, pledge.note, pledge.status) == (60_50, "加油", PledgeStatus.standing)
    page = client.get(answer.headers["location"]).text
    assert f"Thank you: your pledge no. {pledge.id} is recorded." in page
    assert "¥60.50 of ¥100.00 (60%)" in page and "1 backer" in page
    assert f'href="/contests/pledges/{pledge.id}/cancel"' in page
    assert client.post_form(f"{w.url}/pledges", {"kind": "hours", "hours": "3"}).status_code == 303
    assert client.post_form(f"{w.url}/pledges", {"kind": "materials", "need": str(w.soil.id),
                                                 "quantity": "2"}).status_code == 303
    page = client.get(w.url).text
    assert "3 of 10 hours (30%)" in page and "2 of 5 袋 (40%)" in page and "3 volunteer hours" in page


@pytest.mark.parametrize("form, field", [({"kind": "money", "amount": "12.345"}, "pledge-amount"),
                                         ({"kind": "money", "amount": "0"}, "pledge-amount"),
                                         ({"kind": "hours", "hours": "a lot"}, "pledge-hours"),
                                         ({"kind": "materials", "need": "", "quantity": "1"}, "pledge-need"),
                                         ({"kind": "flowers"}, "pledge-kind")])
def test_bad_amounts_come_back_on_the_page_and_nothing_is_written(client, session, w, form, field):
    sign_in(client, session, w.zhang)
    page = client.post_form(f"{w.url}/pledges", form)
    assert page.status_code == 400 and f'id="{field}-error"' in page.text
    assert count(session, Pledge) == 0


def test_who_may_not_pledge_is_refused_before_their_typing_is_read(client, session, w):
    answer = client.post_form(f"{w.url}/pledges", {"kind": "money", "amount": "5"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/login?next={w.url}"
    sign_in(client, session, w.wang)  # on the team
    assert client.post_form(f"{w.url}/pledges", {"kind": "money", "amount": "5"}).status_code == 403
    assert client.post_form(f"{w.url}/pledges", {"kind": "money", "amount": "x"}).status_code == 403
    assert "you cannot back it yourself" in client.get(w.url).text
    sign_in(client, session, w.stranger)
    assert client.post_form(f"{w.url}/pledges", {"kind": "money", "amount": "x"}).status_code == 403
    assert count(session, Pledge) == 0


def test_a_backer_cancels_after_confirming(client, session, w):
    sign_in(client, session, w.zhang)
    client.post_form(f"{w.url}/pledges", {"kind": "money", "amount": "20"})
    session.rollback()
    pledge_id = session.execute(select(Pledge.id)).scalar_one()
    page = client.get(f"/contests/pledges/{pledge_id}/cancel")
    assert page.status_code == 200 and f"Cancel pledge no. {pledge_id} to “李娜的书角”?" in page.text
    sign_in(client, session, w.li)
    assert client.post_form(f"/contests/pledges/{pledge_id}/cancel").status_code == 403
    sign_in(client, session, w.zhang)
    answer = client.post_form(f"/contests/pledges/{pledge_id}/cancel")
    assert answer.status_code == 303 and answer.headers["location"] == f"{w.url}#my-pledges"
    session.rollback()
    assert session.get(Pledge, pledge_id).status == PledgeStatus.cancelled
    assert client.post_form(f"/contests/pledges/{pledge_id}/cancel").status_code == 409


def test_in_the_last_day_the_page_says_why_a_cancel_is_refused(client, session, w):
    session.add_all([Pledge(entry_id=w.entry.id, account_id=w.zhang.account_id, kind=PledgeKind.money,
                            amount_fen=100_00, created_at=w.now)])
    w.contest.backing_closes_at = w.now + timedelta(hours=5)
    session.commit()
    pledge_id = session.execute(select(Pledge.id)).scalar_one()
    sign_in(client, session, w.zhang)
    page = client.get(f"/contests/pledges/{pledge_id}/cancel")
    assert page.status_code == 200 and "This pledge cannot be cancelled now" in page.text
    assert "¥100.00 pledged towards its goal of ¥100.00" in page.text and 'method="post"' not in page.text.split(
        "</header>")[1]
    refused = client.post_form(f"/contests/pledges/{pledge_id}/cancel")
    assert refused.status_code == 409 and "without your ¥100.00 it would fall short" in refused.text
    session.rollback()
    assert session.get(Pledge, pledge_id).status == PledgeStatus.standing


def test_the_ledger_for_treasurers_and_staff_and_its_csv(client, session, w):
    session.add(Pledge(entry_id=w.entry.id, account_id=w.zhang.account_id, kind=PledgeKind.money, amount_fen=30_00,
                       created_at=w.now))
    session.commit()
    url = f"/contests/{w.contest.id}/ledger"
    assert client.get(url).headers["location"].startswith("/login?next=")
    sign_in(client, session, w.zhang)
    assert client.get(url).status_code == 403 and client.get(f"{url}.csv").status_code == 403
    sign_in(client, session, w.treasurer)
    page = client.get(url)
    assert page.status_code == 200 and "李娜的书角" in page.text and "¥30.00" in page.text
    csv = client.get(f"{url}.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert f'filename="contest-{w.contest.id}-ledger.csv"' in csv.headers["content-disposition"]
    assert csv.text.splitlines()[1] == f"{w.entry.id},李娜的书角,accepted,pending,100.00,30.00,0.00,30.00,0.00,0.00,10,0,1"


def test_treasurers_confirm_money_received_after_backing(client, session, make_account):
    w = entry_world(session, make_account, Phase.judging, money_goal_fen=50_00)
    session.add(Pledge(entry_id=w.entry.id, account_id=w.zhang.account_id, kind=PledgeKind.money, amount_fen=50_00,
                       created_at=w.contest.backing_closes_at - timedelta(days=2)))
    session.commit()
    pledge_id = session.execute(select(Pledge.id)).scalar_one()
    sign_in(client, session, w.treasurer)
    page = client.get(f"/contests/{w.contest.id}/ledger")  # the first page after the deadline settles backing
    assert page.status_code == 200 and f'action="/contests/pledges/{pledge_id}/confirm"' in page.text
    session.rollback()
    session.expire_all()
    assert session.get(ContestEntry, w.entry.id).funding == Funding.funded
    answer = client.post_form(f"/contests/pledges/{pledge_id}/confirm", {"page": "1"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/contests/{w.contest.id}/ledger#pledge-{pledge_id}"
    session.rollback()
    session.expire_all()
    assert session.get(Pledge, pledge_id).confirmed_by == w.treasurer.account_id
    assert client.post_form(f"/contests/pledges/{pledge_id}/confirm").status_code == 409
    assert "confirmed on" in client.get(f"/contests/{w.contest.id}/ledger").text


def test_the_entry_page_after_the_deadline_settles_and_releases_a_missed_entry(client, session, make_account):
    w = entry_world(session, make_account, Phase.judging, money_goal_fen=500_00)
    session.add(Pledge(entry_id=w.entry.id, account_id=w.zhang.account_id, kind=PledgeKind.money, amount_fen=10_00,
                       created_at=w.contest.backing_closes_at - timedelta(days=2)))
    session.commit()
    page = client.get(w.url).text
    assert "did not reach its money goal when backing closed" in page
    session.rollback()
    session.expire_all()
    assert session.get(Contest, w.contest.id).backing_settled_at is not None
    assert session.execute(select(Pledge.status)).scalar_one() == PledgeStatus.released
    assert count(session, Notification, Notification.account_id == w.zhang.account_id) == 1
    assert w.entry.status == EntryStatus.accepted
