"""A contest's open data under /api/contests/<id>/ (DOMAIN-RULES §3): scores.csv as `civic rank` reads it,
contributions.csv as `civic match` reads it, and results.json, the published document itself.

Nothing is served before the results are published: during judging the scores are private, and the
matching inputs only mean something once the advancing entries are known. After that nothing in them can
change (scores close with judging, pledges with backing), so the files are rebuilt on request.

Backer keys: each account that pledged anything on the contest (money, hours or materials, standing or not)
is "B" followed by the 4-digit rank of its first pledge's id among the contest's backers — "B0001" pledged
first. The key is stable within the contest (pledges are never deleted), says nothing about the account,
and differs between contests.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from civic.contests import access, progress, rules
from civic.contests.models import Contest, ContestEntry, ContestResult, ContestStatus, Phase, Pledge
from civic.errors import NotFound
from civic.i18n import N_
from civic.places.service import REGISTER_TZ

FILES = {"scores": "scores.csv", "contributions": "contributions.csv", "results": "results.json"}
SCORES_HEADER = ("judge_id", "entry_id", "score")
CONTRIBUTIONS_HEADER = ("entry_id", "backer_key", "amount")
CSV_TYPE = "text/csv; charset=utf-8"
NOT_YET = N_("The open data of this contest is published with its results, once judging closes on %(when)s: "
             "until then the judges' scores are private.")


def file_url(contest_id: int, file: str) -> str:
    return f"/api/contests/{contest_id}/{FILES[file]}"


def file_links(contest_id: int) -> dict[str, str]:
    """Each open-data file's address: {"scores": "/api/contests/7/scores.csv", …}."""
    return {file: file_url(contest_id, file) for file in FILES}


def download_name(contest_id: int, file: str) -> str:
    return f"contest-{contest_id}-{FILES[file]}"


def yuan_text(fen: int) -> str:
    """Fen → yuan with exactly two decimals and no separators, as `civic match` reads and prints it."""
    return f"{'-' if fen < 0 else ''}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def backer_keys(session: Session, contest_id: int) -> dict[int, str]:
    """account id → its pseudonymous key in this contest (one query; see the module's docstring)."""
    first = (select(Pledge.account_id, func.min(Pledge.id).label("first"))
             .join(ContestEntry, ContestEntry.id == Pledge.entry_id)
             .where(ContestEntry.contest_id == contest_id).group_by(Pledge.account_id)
             .order_by(func.min(Pledge.id)))
    return {account_id: f"B{n:04d}" for n, (account_id, _) in enumerate(session.execute(first).all(), start=1)}


def contribution_rows(session: Session, contest_id: int, entry_ids: Iterable[int]) -> list[tuple[int, str, int]]:
    """(entry id, backer key, amount in fen) for each standing money pledge of these entries (two queries)."""
    ids = list(entry_ids)
    if not ids:
        return []
    keys = backer_keys(session, contest_id)
    rows = [(entry_id, keys[account_id], fen) for entry_id, account_id, fen in
            progress.contributions(session, contest_id, ids)]
    return sorted(rows, key=lambda row: (row[0], row[1]))


def published_result(session: Session, *, contest_id: int, now: datetime) -> ContestResult:
    """The contest's published result, publishing it first if judging has closed and no one has yet; a 404
    that says when before then (a draft contest does not exist)."""
    contest, _place = access.contest_and_place(session, contest_id)
    phase = rules.contest_phase(contest, now)
    if contest.status != ContestStatus.published:
        raise NotFound(N_("There is no such contest."))
    if phase == Phase.results:
        from civic.contests.results import publish_results  # results publishes; this module only reads

        publish_results(session, contest_id=contest.id, now=now)
    result = session.execute(select(ContestResult).where(ContestResult.contest_id == contest.id)).scalar()
    if result is None:
        raise NotFound(NOT_YET, when=contest.judging_closes_at.astimezone(REGISTER_TZ).strftime("%Y-%m-%d %H:%M"))
    return result


def _csv(header: tuple[str, ...], rows: Iterable[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def scores_csv(document: dict) -> str:
    """judge_id,entry_id,score: every complete sheet that counted, judges by their public letters."""
    order = {j["judge"]: n for n, j in enumerate(document["judges"])}
    rows = sorted(((letter, e["entry_id"], score["raw"]) for e in document["entries"]
                   for letter, score in e["scores"].items()), key=lambda r: (order[r[0]], r[1]))
    return _csv(SCORES_HEADER, rows)


def contributions_csv(session: Session, result: ContestResult) -> str:
    """entry_id,backer_key,amount: each standing money pledge of the advancing entries, in yuan."""
    document = json.loads(result.document)
    advancing = [e["entry_id"] for e in document["entries"] if e["advances"]]
    return _csv(CONTRIBUTIONS_HEADER, ((entry_id, key, yuan_text(fen)) for entry_id, key, fen in
                                       contribution_rows(session, result.contest_id, advancing)))


def open_file(session: Session, *, contest_id: int, file: str, now: datetime) -> str:
    """The text of one of FILES, or a 404 before the results are published."""
    result = published_result(session, contest_id=contest_id, now=now)
    if file == "results":
        return result.document
    if file == "scores":
        return scores_csv(json.loads(result.document))
    return contributions_csv(session, result)


def published_contests(session: Session) -> list[dict]:
    """Every contest with published results, newest first, with its files (one query)."""
    rows = session.execute(select(Contest.id, Contest.title, ContestResult.computed_at, ContestResult.sha256)
                           .join(ContestResult, ContestResult.contest_id == Contest.id)
                           .order_by(ContestResult.computed_at.desc(), Contest.id.desc())).all()
    return [{"id": cid, "title": title, "published_at": at.isoformat(), "sha256": sha,
             "results_page": f"/contests/{cid}/results",
             "files": file_links(cid)} for cid, title, at, sha in rows]
