"""Covenant pages from ratification on: freezing for the vote, signing, breaches and disputes, the keepers
and their export, new texts, the public page of covenants in force and the open data."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import clock
from civic.auth.models import Account
from civic.covenants import signing
from civic.covenants.access import register_day
from civic.covenants.models import BreachStatus, Covenant, CovenantBreach, CovenantSignature, CovenantStatus
from civic.votes.models import Vote
from civic.web.local_time import input_value
from tests.unit.covenants.builders import adopt, build_world, set_status

S = CovenantStatus


@pytest.fixture
def world(session, make_account):
    return build_world(session, make_account)


def login(client, session, viewer):
    client.login_as(session.get(Account, viewer.account_id))


def vote_times(days=7):
    opens = clock.now() + timedelta(hours=1)
    return {"opens_at": input_value(opens), "closes_at": input_value(opens + timedelta(days=days))}


def test_drafters_freeze_the_text_and_schedule_the_vote(client, session, world):
    w = world
    set_status(session, w.covenant, S.consultation)
    login(client, session, w.drafter)
    form = client.get(f"/covenants/{w.covenant.id}/freeze")
    assert form.status_code == 200 and "文明养犬" in form.text and "Residents' convention" in form.text and "1/2 of residents taking part" in form.text
    sent = client.post_form(f"/covenants/{w.covenant.id}/freeze", {**vote_times(), "ballots": "named"})
    assert sent.status_code == 303 and sent.headers["location"].startswith("/votes/")
    session.rollback()
    covenant = session.get(Covenant, w.covenant.id)
    vote = session.get(Vote, covenant.ratification_vote_id)
    assert covenant.status == S.ratification and vote.subject_ref == covenant.frozen_version_hash
    page = client.get(sent.headers["location"])
    assert covenant.frozen_version_hash in page.text and "文明养犬" in page.text


def test_bad_vote_times_come_back_next_to_the_field_and_nothing_is_written(client, session, world):
    w = world
    set_status(session, w.covenant, S.consultation)
    login(client, session, w.drafter)
    sent = client.post_form(f"/covenants/{w.covenant.id}/freeze",
                            {"opens_at": "tomorrow", "closes_at": "", "effective_on": "2027-13-01", "ballots": "named"})
    assert sent.status_code == 400
    assert 'id="opens_at-error"' in sent.text and 'id="closes_at-error"' in sent.text
    assert 'id="effective_on-error"' in sent.text
    session.rollback()  # a fresh snapshot: the requests wrote through other connections
    assert session.execute(select(func.count()).select_from(Vote)).scalar_one() == 0


@pytest.mark.parametrize("who, status, code", [
    ("zhang", S.consultation, 403), ("stranger", S.consultation, 403), ("other_staff", S.consultation, 403),
    ("drafter", S.drafting, 409), ("staff", S.adopted, 409),
])
def test_who_may_open_the_freeze_form(client, session, world, who, status, code):
    w = world
    set_status(session, w.covenant, status)
    login(client, session, getattr(w, who))
    assert client.get(f"/covenants/{w.covenant.id}/freeze").status_code == code
    assert client.post_form(f"/covenants/{w.covenant.id}/freeze", vote_times()).status_code == code
    session.rollback()  # a fresh snapshot: the requests wrote through other connections
    assert session.execute(select(func.count()).select_from(Vote)).scalar_one() == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(f"/covenants/{world.covenant.id}/freeze")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.fixture
def adopted(session, world):
    adopt(session, world)
    # The builders' clock is fixed; the pages run on the real one: in force since a month ago.
    session.get(Covenant, world.covenant.id).effective_on = register_day(clock.now()) - timedelta(days=30)
    session.commit()
    return world


def test_a_resident_signs_and_withdraws_on_the_covenant_page(client, session, adopted):
    w = adopted
    login(client, session, w.zhang)
    page = client.get(f"/covenants/{w.covenant.id}")
    assert "Sign the covenant" in page.text and "0 residents have signed" in page.text
    assert client.post_form(f"/covenants/{w.covenant.id}/sign", {}).status_code == 303
    page = client.get(f"/covenants/{w.covenant.id}")
    assert "You have signed this covenant." in page.text and "1 resident has signed" in page.text
    assert client.post_form(f"/covenants/{w.covenant.id}/withdraw", {}).status_code == 303
    session.rollback()  # a fresh snapshot: the requests wrote through other connections
    signature = session.execute(select(CovenantSignature)).scalar_one()
    assert signature.withdrawn_at is not None


def test_signing_is_for_residents_of_the_place(client, session, adopted):
    w = adopted
    login(client, session, w.stranger)
    assert "Sign the covenant" not in client.get(f"/covenants/{w.covenant.id}").text
    assert client.post_form(f"/covenants/{w.covenant.id}/sign", {}).status_code == 403
    session.rollback()  # a fresh snapshot: the requests wrote through other connections
    assert session.execute(select(func.count()).select_from(CovenantSignature)).scalar_one() == 0


def test_signing_signed_out_leads_to_sign_in_and_back_to_the_covenant(client, adopted):
    client.get("/")  # a session, for the CSRF token
    response = client.post_form(f"/covenants/{adopted.covenant.id}/sign", {})
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/covenants/{adopted.covenant.id}"


def signed(session, w, *viewers):
    for viewer in viewers:
        signing.sign(session, viewer=viewer, covenant_id=w.covenant.id, now=clock.now())
    session.commit()


def test_staff_record_a_breach_the_signer_disputes_and_staff_resolve(client, session, adopted):
    w = adopted
    signed(session, w, w.zhang, w.li)
    login(client, session, w.staff)
    keepers = client.get(f"/covenants/{w.covenant.id}/keepers")
    assert keepers.status_code == 200 and "张伟" in keepers.text and "2 keepers" in keepers.text
    form = client.get(f"/covenants/{w.covenant.id}/breaches/new?account={w.zhang.account_id}")
    assert form.status_code == 200 and "Signer: 张伟" in form.text
    today = register_day(clock.now()).isoformat()
    bad = client.post_form(f"/covenants/{w.covenant.id}/breaches/new", {
        "account_id": str(w.zhang.account_id), "occurred_on": today, "description": "阳台花盆坠落", "evidence": ""})
    assert bad.status_code == 400 and 'id="evidence-error"' in bad.text
    session.rollback()  # a fresh snapshot: the requests wrote through other connections
    assert session.execute(select(func.count()).select_from(CovenantBreach)).scalar_one() == 0
    sent = client.post_form(f"/covenants/{w.covenant.id}/breaches/new", {
        "account_id": str(w.zhang.account_id), "clause_id": str(w.clause.id), "occurred_on": today,
        "description": "遛狗未牵绳", "evidence": "网格员现场记录"})
    assert sent.status_code == 303
    assert "1 keeper" in client.get(f"/covenants/{w.covenant.id}/keepers").text
    session.rollback()  # a fresh snapshot: the requests wrote through other connections
    breach = session.execute(select(CovenantBreach)).scalar_one()

    login(client, session, w.zhang)
    page = client.get(f"/covenants/{w.covenant.id}")
    assert "Breaches recorded against you" in page.text and "遛狗未牵绳" in page.text
    assert client.post_form(f"/covenants/breaches/{breach.id}/dispute",
                            {"reason": "那天我不在家", "covenant": str(w.covenant.id)}).status_code == 303
    assert client.get(f"/covenants/{w.covenant.id}/keepers").status_code == 403

    login(client, session, w.staff)
    assert "2 keepers" in client.get(f"/covenants/{w.covenant.id}/keepers").text  # disputed: waits
    no_reason = client.post_form(f"/covenants/breaches/{breach.id}/resolve",
                                 {"decision": "uphold", "reason": "", "covenant": str(w.covenant.id)})
    assert no_reason.status_code == 303  # back to the keepers page with the message; nothing changed
    session.rollback()
    assert session.get(CovenantBreach, breach.id).status == BreachStatus.disputed
    assert client.post_form(f"/covenants/breaches/{breach.id}/resolve",
                            {"decision": "uphold", "reason": "录像核实", "covenant": str(w.covenant.id)}).status_code == 303
    session.rollback()
    assert session.get(CovenantBreach, breach.id).status == BreachStatus.upheld


def test_the_keepers_export_is_for_staff_and_lists_keepers(client, session, adopted):
    w = adopted
    signed(session, w, w.zhang, w.li)
    signing.record_breach(session, viewer=w.staff, covenant_id=w.covenant.id, account_id=w.li.account_id,
                          occurred_on=register_day(clock.now()), description="x", evidence="y", now=clock.now())
    session.commit()
    login(client, session, w.zhang)
    assert client.get(f"/covenants/{w.covenant.id}/keepers.csv").status_code == 403
    login(client, session, w.staff)
    response = client.get(f"/covenants/{w.covenant.id}/keepers.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["account_id", "name", "units"] and [r[1] for r in rows[1:]] == ["张伟"]


def test_staff_start_a_new_text_of_an_adopted_covenant(client, session, adopted):
    w = adopted
    login(client, session, w.drafter)
    assert client.get(f"/covenants/{w.covenant.id}/revision").status_code == 403
    login(client, session, w.staff)
    assert client.get(f"/covenants/{w.covenant.id}/revision").status_code == 200
    sent = client.post_form(f"/covenants/{w.covenant.id}/revision", {})
    assert sent.status_code == 303
    session.rollback()  # a fresh snapshot: the requests wrote through other connections
    new = session.execute(select(Covenant).where(Covenant.supersedes_id == w.covenant.id)).scalar_one()
    assert sent.headers["location"] == f"/covenants/{new.id}"


def test_the_public_page_and_open_data_publish_the_text_the_vote_adopted(client, session, adopted):
    w = adopted
    signed(session, w, w.zhang)
    covenant = session.get(Covenant, w.covenant.id)
    vote = session.get(Vote, covenant.ratification_vote_id)
    page = client.get(f"/covenants/adopted?place={w.r.community.id}")
    assert page.status_code == 200 and "南苑村小区文明公约" in page.text and vote.subject_ref in page.text
    text = client.get(f"/api/covenants/{covenant.id}/adopted.txt")
    assert text.status_code == 200 and hashlib.sha256(text.content).hexdigest() == vote.subject_ref
    record = client.get(f"/api/covenants/{covenant.id}/adopted.json").json()
    assert record["sha256"] == vote.subject_ref and record["signatures"] == {"in_force": 1, "withdrawn": 0}
    assert record["clauses"][0]["heading"] == "文明养犬"
    history = client.get(f"/api/covenants/{covenant.id}/history.json").json()
    assert [f["outcome"] for f in history["frozen_texts"]] == ["adopted"]
    index = client.get("/api/covenants").json()
    assert [c["id"] for c in index["covenants"]] == [covenant.id]
    result = json.loads(client.get(f"/api/votes/{vote.id}/result.json").text)
    assert result["vote"]["subject"] == {"type": "covenant_version", "ref": vote.subject_ref}


def test_nothing_is_published_before_adoption(client, session, world):
    assert client.get(f"/api/covenants/{world.covenant.id}/adopted.json").status_code == 404
    assert client.get(f"/api/covenants/{world.covenant.id}/adopted.txt").status_code == 404
    assert client.get(f"/api/covenants/{world.covenant.id}/history.json").status_code == 200
    assert client.get("/api/covenants/999999/history.json").status_code == 404
    page = client.get("/covenants/adopted")
    assert page.status_code == 200 and "No covenant has been adopted here yet." in page.text
