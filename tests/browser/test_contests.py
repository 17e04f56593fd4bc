"""A volunteer-project contest end to end in a real browser, on the demo accounts: a team submits its entry, a
neighbour pledges money and cancels, a judge scores on the rubric, and the results render with their open
data. Every page is WCAG 2.1 AA clean (axe-core) and nothing is fetched from another host.

One contest of 北环社区 goes through its phases. The phase follows from the contest's dates and the real clock,
so between the steps the test moves the five dates back (`move_to`, an ORM update on the live server's database)
instead of waiting days: the same entry then goes from submission to results, and every page and service runs
on the real clock. What the story needs besides the browser steps (the set-up, the other entries, screening,
the other pledges and sheets) is done through the services on the same database."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select
from sqlmodel import Session

from civic import clock, i18n
from civic.auth.models import Account, Role, RoleGrant, ScopeType
from civic.contests import backing, entries, judging, setup
from civic.contests.entry_input import EntryForm
from civic.contests.models import Contest, ContestEntry, MatchingMethod, Phase, RubricCriterion
from civic.db import make_engine, session_scope
from civic.fixtures import DEMO_PASSWORD
from civic.places.models import Place
from civic.places.rules import Viewer
from tests.browser.test_sign_in import account_nav, sign_in

pytestmark = pytest.mark.browser

_ = i18n.translations("zh-Hans").gettext  # the default test browser speaks Chinese
DAY = timedelta(days=1)
TITLE = "了不起的居民 · 浏览器测试"
ENTRY = "南苑村共享工具屋"  # the entry the team submits in the browser
OTHERS = [  # (team lead, title, money goal in yuan, volunteer hours needed)
    ("owner2@civic.test", "旧物交换角", "600", "0"),
    ("tenant@civic.test", "楼道微花园", "0", "20"),
]
LEVELS = [(1, "起步"), (3, "良好"), (5, "出色")]
RUBRIC = [("影响力", 40), ("可行性", 30), ("居民参与", 30)]
BROWSER_LEVELS = {"影响力": 5, "可行性": 3, "居民参与": 5}  # what the judge chooses in the browser


def phase_dates(phase: Phase, now: datetime) -> dict[str, datetime]:
    """The five boundaries, ten days apart, that put `now` one day into `phase`."""
    order = [Phase.submission, Phase.screening, Phase.backing, Phase.judging, Phase.results]
    start = now - DAY - timedelta(days=10) * order.index(phase)
    return {name: start + timedelta(days=10) * n for n, name in enumerate(setup.DATE_FIELDS)}


def viewer(session: Session, email: str) -> Viewer:
    """A demo account as the services see it (its staff grants included)."""
    account = session.execute(select(Account).where(Account.email == email)).scalar_one()
    staff = session.execute(select(RoleGrant.scope_id).where(
        RoleGrant.account_id == account.id, RoleGrant.role == Role.staff,
        RoleGrant.scope_type == ScopeType.place)).scalars()
    return Viewer(account_id=account.id, person_id=account.person_id, staff_place_ids=frozenset(staff))


@pytest.fixture(scope="module")
def db(live_server) -> Iterator[Engine]:
    """The live server's database, with the demo data loaded."""
    live_server.civic("fixtures", "load", "demo")
    engine = make_engine(live_server.env["CIVIC_DATABASE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def story(db: Engine) -> SimpleNamespace:
    """The contest, published by staff@ with its rubric while submissions are open, and two entries by other
    teams already submitted."""
    now = clock.now()
    with session_scope(db) as session:
        staff = viewer(session, "staff@civic.test")
        place_id = session.execute(select(Place.id).where(Place.name == "北环社区")).scalar_one()
        contest = setup.create_contest(session, viewer=staff, place_id=place_id, now=now, setup=setup.ContestSetup(
            title=TITLE, description="社区志愿服务项目众筹大赛。", prize_pool_fen=10_000_00, advance_count=2,
            winner_count=1, jury_weight=70, support_weight=30, matching_method=MatchingMethod.quadratic,
            **phase_dates(Phase.submission, now)))
        setup.set_rubric(session, viewer=staff, contest_id=contest.id, now=now, criteria=[
            setup.CriterionInput(name=name, weight=weight, levels=list(LEVELS)) for name, weight in RUBRIC])
        setup.publish_contest(session, viewer=staff, contest_id=contest.id, now=now)
        for lead, title, goal, hours in OTHERS:
            team = viewer(session, lead)
            entry = entries.create_entry(session, viewer=team, contest_id=contest.id, now=now, form=EntryForm(
                title=title, summary=f"{title}：邻里一起做。", plan="- 第一周：筹备\n- 第二周：动手", money_goal=goal,
                hours_goal=hours))
            entries.submit_entry(session, viewer=team, entry_id=entry.id, now=now)
    return SimpleNamespace(contest_id=contest.id)


def move_to(db: Engine, contest_id: int, phase: Phase) -> datetime:
    """Time passes: the contest's dates move back so that the real clock is one day into `phase`."""
    now = clock.now()
    with session_scope(db) as session:
        contest = session.get(Contest, contest_id)
        for name, value in phase_dates(phase, now).items():
            setattr(contest, name, value)
    return now


def entry_ids(db: Engine, contest_id: int) -> dict[str, int]:
    with Session(db) as session:
        return dict(session.execute(select(ContestEntry.title, ContestEntry.id)
                                    .where(ContestEntry.contest_id == contest_id)).all())


def sign_out(page: Page) -> None:
    account_nav(page).get_by_role("button", name=_("Sign out"), exact=True).click()


def flashed(page: Page, msgid: str) -> None:
    """The flash message starts with the translated msgid's text before its first placeholder."""
    expect(page.get_by_role("status").first).to_contain_text(_(msgid).split("%(")[0].strip())


def open_contest(page: Page) -> None:
    page.goto("/contests")
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def open_entry(page: Page, title: str) -> None:
    open_contest(page)
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def money_bar(page: Page):
    """The entry page's money progress bar (its label says what it measures)."""
    return page.locator("#backing").get_by_role("progressbar", name=_("Money"), exact=True)


def money_reached(page: Page, fen: int, goal_fen: int = 2_000_00) -> None:
    """The bar's value and its text equivalent ("¥1,500.00 of ¥2,000.00 (75%)")."""
    expect(money_bar(page)).to_have_attribute("value", str(fen))
    text = _("%(pledged)s of %(goal)s (%(percent)s%%)") % {
        "pledged": yuan(fen), "goal": yuan(goal_fen), "percent": fen * 100 // goal_fen}
    expect(page.locator("#backing .entry-progress")).to_contain_text(text)


def yuan(fen: int) -> str:
    return i18n.format_money(fen, "zh-Hans")


# ---- the steps -------------------------------------------------------------------------------------------

def a_team_submits(page: Page, axe_check) -> None:
    """王秀英 (owner@, a resident of 北环社区) enters a project, saves the draft and submits it."""
    sign_in(page, "owner@civic.test", DEMO_PASSWORD, axe_check)
    open_contest(page)
    axe_check(page)
    page.get_by_role("link", name=_("Enter a project"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    axe_check(page)
    page.get_by_label(_("Title"), exact=True).fill(ENTRY)
    page.get_by_label(_("Summary"), exact=True).fill("在小区闲置车棚里办一间共享工具屋，邻居凭登记借用。")
    page.get_by_label(_("Who benefits"), exact=True).fill("南苑村小区的三百多户居民。")
    page.get_by_label(_("Plan"), exact=True).fill("- 第一周：清理车棚\n- 第二周：添置工具架和工具\n- 之后：志愿者轮流值班")
    page.get_by_label(_("Money goal, in yuan"), exact=True).fill("2000")
    page.get_by_label(_("Volunteer hours needed"), exact=True).fill("40")
    page.get_by_label(_("Budget line %(n)s: item") % {"n": 1}, exact=True).fill("工具架")
    page.get_by_label(_("Budget line %(n)s: amount in yuan") % {"n": 1}, exact=True).fill("800")
    page.get_by_label(_("Budget line %(n)s: item") % {"n": 2}, exact=True).fill("常用工具")
    page.get_by_label(_("Budget line %(n)s: amount in yuan") % {"n": 2}, exact=True).fill("1200")
    page.get_by_role("button", name=_("Save the draft"), exact=True).click()
    flashed(page, "Your entry is saved as a draft: only your team sees it. Add your team and images, then submit "
                  "it before the deadline.")
    expect(page.get_by_role("heading", level=1)).to_have_text(ENTRY)
    expect(page.locator("p.lead")).to_have_text(_("draft"))
    axe_check(page)
    page.get_by_role("button", name=_("Submit the entry"), exact=True).click()
    flashed(page, "Your entry is submitted: everyone can see it now. Your team can still change it until the "
                  "submission deadline.")
    expect(page.locator("p.lead")).to_have_text(_("submitted"))
    expect(page.get_by_role("button", name=_("Submit the entry"), exact=True)).to_have_count(0)
    axe_check(page)
    sign_out(page)


def screened_and_partly_backed(db: Engine, contest_id: int) -> dict[str, int]:
    """Staff accept every entry while screening is open; once backing opens, neighbours back them (王秀英's
    entry: ¥1,500 of its ¥2,000 from 刘建国)."""
    ids = entry_ids(db, contest_id)
    now = move_to(db, contest_id, Phase.screening)
    with session_scope(db) as session:
        staff = viewer(session, "staff@civic.test")
        for entry_id in ids.values():
            entries.screen_entry(session, viewer=staff, entry_id=entry_id, decision="accept", reason="符合大赛要求。",
                                 now=now)
    now = move_to(db, contest_id, Phase.backing)
    with session_scope(db) as session:
        owner, owner2, tenant = (viewer(session, f"{name}@civic.test") for name in ("owner", "owner2", "tenant"))
        for who, title, kind, amount in ((owner2, ENTRY, "money", 1_500_00), (owner, "旧物交换角", "money", 200_00),
                                         (tenant, "旧物交换角", "money", 400_00), (owner, "楼道微花园", "hours", 10),
                                         (owner2, "楼道微花园", "money", 100_00)):
            backing.pledge(session, viewer=who, entry_id=ids[title], kind=kind, now=now,
                           **({"amount_fen": amount} if kind == "money" else {"hours": amount}))
    return ids


def a_resident_pledges_and_cancels(page: Page, axe_check) -> None:
    """陈晓明 (tenant@) pledges ¥300 on the entry, sees the bar move, and cancels through the confirmation page."""
    sign_in(page, "tenant@civic.test", DEMO_PASSWORD, axe_check)
    open_entry(page, ENTRY)
    expect(page.locator("p.lead")).to_have_text(_("accepted"))
    money_reached(page, 1_500_00)
    axe_check(page)
    page.get_by_role("radio", name=_("money"), exact=True).check()
    page.get_by_label(_("Money, in yuan"), exact=True).fill("300")
    page.get_by_label(_("A note to the team (optional)"), exact=True).fill("支持！")
    page.get_by_role("button", name=_("Pledge"), exact=True).click()
    flashed(page, "Thank you: your pledge no. %(id)s is recorded.")
    money_reached(page, 1_800_00)
    mine = page.locator("#my-pledges + ul")
    expect(mine).to_contain_text(yuan(300_00))
    expect(mine).to_contain_text(_("standing"))
    axe_check(page)

    cancel = _("Cancel pledge no. %(id)s").split("%(")[0].strip()
    page.get_by_role("link", name=re.compile("^" + re.escape(cancel))).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ENTRY)
    axe_check(page)
    page.get_by_role("button", name=_("Cancel the pledge"), exact=True).click()
    flashed(page, "Your pledge no. %(id)s has been cancelled.")
    money_reached(page, 1_500_00)
    expect(page.locator("#my-pledges + ul")).to_contain_text(_("cancelled"))
    expect(page.get_by_role("link", name=re.compile("^" + re.escape(cancel)))).to_have_count(0)
    axe_check(page)
    sign_out(page)


def judging_opens(db: Engine, contest_id: int, ids: dict[str, int]) -> None:
    """陈晓明 pledges the ¥500 that takes the entry to its goal; backing closes; staff appoint judge@ and
    reviewer@ as judges of the contest, now in judging."""
    with session_scope(db) as session:
        backing.pledge(session, viewer=viewer(session, "tenant@civic.test"), entry_id=ids[ENTRY], kind="money",
                       amount_fen=500_00, now=clock.now())
    now = move_to(db, contest_id, Phase.judging)
    with session_scope(db) as session:
        staff = viewer(session, "staff@civic.test")
        for contact in ("judge@civic.test", "reviewer@civic.test"):
            setup.appoint_by_contact(session, viewer=staff, contest_id=contest_id, contact=contact, role="judge",
                                     now=now)


def a_judge_scores(page: Page, axe_check) -> None:
    """郭伟 (judge@) opens the judging page, scores the entry on every criterion and sees their progress."""
    sign_in(page, "judge@civic.test", DEMO_PASSWORD, axe_check)
    open_contest(page)
    page.get_by_role("link", name=_("Judging"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    own = page.get_by_role("progressbar", name=_("Your progress"), exact=True)
    expect(own).to_have_attribute("value", "0")
    axe_check(page)
    page.get_by_role("row").filter(has_text=ENTRY).get_by_role("link", name=_("Score it")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ENTRY)
    axe_check(page)
    for criterion, level in BROWSER_LEVELS.items():
        group = page.get_by_role("group", name=criterion)
        group.get_by_role("radio", name=f"{level} — {dict(LEVELS)[level]}", exact=True).check()
    page.get_by_role("button", name=_("Save"), exact=True).click()  # HTMX swaps the sheet in place
    expect(page.get_by_role("status").first).to_have_text(_("Your scores are saved: the sheet is complete."))
    total = sum(weight * BROWSER_LEVELS[name] for name, weight in RUBRIC)
    expect(page.locator("#sheet")).to_contain_text(_("Your total: %(total)s.") % {"total": total})
    expect(own).to_have_attribute("value", "1")
    expect(page.locator("#sheet")).to_contain_text(
        _("%(done)s of %(total)s entries scored completely") % {"done": 1, "total": 3})
    axe_check(page)
    page.get_by_role("link", name=_("Back to your queue"), exact=True).click()
    expect(own).to_have_attribute("value", "1")
    expect(page.get_by_role("row").filter(has_text=ENTRY)).to_contain_text(
        _("Complete: total %(total)s of %(max)s") % {"total": total, "max": 5 * 100})
    axe_check(page)
    sign_out(page)


def judging_closes(db: Engine, contest_id: int, ids: dict[str, int]) -> None:
    """The judges complete their sheets (judge@ the two other entries, reviewer@ all three); judging closes."""
    with session_scope(db) as session:
        criteria = dict(session.execute(select(RubricCriterion.name, RubricCriterion.id)
                                        .where(RubricCriterion.contest_id == contest_id)).all())
        sheets = [("judge", "旧物交换角", (3, 3, 5)), ("judge", "楼道微花园", (3, 1, 3)),
                  ("reviewer", ENTRY, (5, 5, 3)), ("reviewer", "旧物交换角", (1, 3, 3)),
                  ("reviewer", "楼道微花园", (3, 3, 1))]
        for who, title, levels in sheets:
            judging.save_sheet(session, viewer=viewer(session, f"{who}@civic.test"), entry_id=ids[title],
                               now=clock.now(), levels={criteria[name]: level for (name, _w), level
                                                        in zip(RUBRIC, levels, strict=True)})
    move_to(db, contest_id, Phase.results)


def the_results_render(page: Page, axe_check, live_server, contest_id: int, ids: dict[str, int]) -> None:
    """Anyone opens the results (published by this first request), with the ranking table and the open data;
    results.json downloads from its link and is the document whose SHA-256 the page shows."""
    open_contest(page)
    page.get_by_role("link", name=_("Results, step by step"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Results: %(title)s") % {"title": TITLE})
    ranking = page.locator("#ranking").get_by_role("table")
    caption = _("Each judge's raw total and z-score, the jury score, support, the combined score, the outcome and "
                "the matching funds of each entry (page %(number)s of %(pages)s).") % {"number": 1, "pages": 1}
    expect(ranking.locator("caption")).to_have_text(caption)
    for letter in ("A", "B"):
        expect(ranking.get_by_role("columnheader", name=_("Judge %(letter)s") % {"letter": letter})).to_have_count(1)
    for title in ids:
        expect(ranking.get_by_role("rowheader").filter(has_text=title)).to_have_count(1)
    expect(ranking.locator("tbody tr")).to_have_count(3)
    axe_check(page)

    files = {}
    for name in ("scores.csv", "contributions.csv", "results.json"):
        link = page.get_by_role("link", name=name, exact=True)
        href = link.get_attribute("href")
        assert href == f"/api/contests/{contest_id}/{name}"
        files[name] = urljoin(page.url, href)
        assert urlsplit(files[name]).netloc == live_server.netloc
    with page.expect_download() as download:
        page.get_by_role("link", name="results.json", exact=True).click()
    body = download.value.path().read_bytes()
    document = json.loads(body)
    assert document["contest"]["id"] == contest_id
    assert {e["title"]: e["entry_id"] for e in document["entries"]} == ids
    assert sorted(e["rank"] for e in document["entries"]) == [1, 2, 3]
    assert sum(e["advances"] for e in document["entries"]) == 2
    assert [j["judge"] for j in document["judges"]] == ["A", "B"]
    expect(page.locator("#open-data-title + p + ul")).to_contain_text(hashlib.sha256(body).hexdigest())

    scores = page.request.get(files["scores.csv"])
    assert scores.ok and scores.text().splitlines()[0] == "judge_id,entry_id,score"
    assert len(scores.text().splitlines()) == 1 + 6  # two judges × three entries, every sheet complete
    contributions = page.request.get(files["contributions.csv"])
    assert contributions.ok and contributions.text().splitlines()[0] == "entry_id,backer_key,amount"


def test_a_contest_from_entry_to_results(story, db, page, live_server, axe_check, assert_same_origin,
                                         assert_no_csp_violations):
    a_team_submits(page, axe_check)
    ids = screened_and_partly_backed(db, story.contest_id)
    assert set(ids) == {ENTRY, *(title for _lead, title, _goal, _hours in OTHERS)}
    a_resident_pledges_and_cancels(page, axe_check)
    judging_opens(db, story.contest_id, ids)
    a_judge_scores(page, axe_check)
    judging_closes(db, story.contest_id, ids)
    the_results_render(page, axe_check, live_server, story.contest_id, ids)
    assert_same_origin()
    assert_no_csp_violations()
