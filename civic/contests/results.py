"""Publishing a contest's results when judging closes: the judges' complete sheets are normalised and ranked
(`ranking.rank`), combined with public support by the declared formula (`ranking.combine`), the pool is
matched to the advancing entries (`matching`), the judges' agreement measured (`agreement`), and every step
is stored as one JSON document (what results.json serves) with its SHA-256. Idempotent: once per contest."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlmodel import Session

from civic import audit
from civic.contests import access, agreement, backing, exports, judging, matching, progress, ranking, rules
from civic.contests.models import (
    Contest,
    ContestEntry,
    ContestResult,
    ContestStatus,
    EntryMember,
    MatchingMethod,
    Phase,
    ScoreSheet,
)
from civic.db import session_scope
from civic.i18n import N_
from civic.jobs import due_job
from civic.notifications import notify
from civic.settings import Settings

FORMAT = 1
# The order of the combined ranking, by tie rule: what decides between two entries, key by key.
ORDER = {"jury": ["combined", "jury_score", "support", "raw_mean", "entry_id"],
         "support": ["combined", "support", "jury_score", "raw_mean", "entry_id"]}
OUTCOMES = {
    "wins": N_("“%(entry)s” is a winner of “%(contest)s” (rank %(rank)s). The results show every step."),
    "advances": N_("“%(entry)s” advances in “%(contest)s” (rank %(rank)s). The results show every step."),
    "ranked": N_("“%(entry)s” ranked %(rank)s in “%(contest)s” and does not advance. The results show every step."),
    "not_scored": N_("“%(entry)s” received no complete score sheet in “%(contest)s” and is not ranked."),
}


def _text(value: Decimal) -> str:
    return ranking.as_text(value)


def commands(contest: Contest) -> dict[str, str | None]:
    """The command lines that recompute the published numbers from the open data."""
    rank = (f"civic rank --scores {exports.download_name(contest.id, 'scores')} --normalize {contest.normalize} "
            f"--advance {contest.advance_count} --json")
    if contest.matching_method == MatchingMethod.none:
        return {"rank": rank, "match": None}  # equal shares: nothing to recompute beyond a division
    cap = "" if contest.matching_cap_percent is None else f" --cap {_cap(contest)}"
    return {"rank": rank, "match": f"civic match --pool {exports.yuan_text(contest.prize_pool_fen)} --contributions "
                                   f"{exports.download_name(contest.id, 'contributions')} "
                                   f"--method {contest.matching_method}{cap} --json"}


def _cap(contest: Contest) -> Decimal | None:
    if contest.matching_cap_percent is None:
        return None
    return (Decimal(contest.matching_cap_percent) / 100).normalize()


def _sheets(session: Session, contest: Contest, entry_ids: list[int]) -> tuple[dict[int, str], list, dict[int, int]]:
    """The judges' letters, the (judge, entry, total) rows that count and the conflicts per entry: complete
    sheets of judged entries by current judges without a conflict on the entry (four queries)."""
    panel = judging.judges(session, contest.id)
    found = judging.conflicts(session, contest_id=contest.id, judge_list=panel, entry_ids=entry_ids)
    on_panel, wanted = {j.account_id for j in panel}, set(entry_ids)
    rows = [(j, e, total) for j, e, total in session.execute(
        select(ScoreSheet.judge_id, ScoreSheet.entry_id, ScoreSheet.total)
        .where(ScoreSheet.contest_id == contest.id, ScoreSheet.complete)).all()
        if j in on_panel and e in wanted and (j, e) not in found]
    letters = rules.judge_letters(sorted({j for j, _e, _t in rows}))
    conflicts: dict[int, int] = defaultdict(int)
    for _judge, entry_id in found:
        conflicts[entry_id] += 1
    return letters, rows, conflicts


def compute(session: Session, contest: Contest, *, now: datetime) -> tuple[dict, dict[str, int]]:
    """The results document and the private map of judge letters to accounts (for the staff dashboard)."""
    entries = list(session.execute(select(ContestEntry.id, ContestEntry.title)
                                   .where(ContestEntry.contest_id == contest.id, *judging.JUDGED)
                                   .order_by(ContestEntry.id)).all())
    ids = [e for e, _t in entries]
    letters, rows, conflicts = _sheets(session, contest, ids)
    ranked = ranking.rank([(letters[j], str(e), Decimal(t)) for j, e, t in rows], contest.normalize)
    by_entry = {r.entry_id: r for r in ranked.entries}
    support = progress.support(session, contest.id)
    combined = ranking.combine({e: r.score for e, r in by_entry.items()},
                               {e: r.raw_mean for e, r in by_entry.items()},
                               {str(e): n for e, n in support.items()}, jury_weight=contest.jury_weight,
                               support_weight=contest.support_weight, tie_rule=contest.tie_rule,
                               advance=contest.advance_count, wins=contest.winner_count)
    advancing = [c.entry_id for c in combined.entries if c.advances]
    pool = Decimal(contest.prize_pool_fen).scaleb(-2)
    if contest.matching_method == MatchingMethod.none:
        allocation = matching.equal_shares(pool, advancing)
    else:
        given = [(str(e), key, Decimal(fen).scaleb(-2)) for e, key, fen in
                 exports.contribution_rows(session, contest.id, [int(e) for e in advancing])]
        allocation = matching.allocate(pool, given, contest.matching_method, _cap(contest), entry_ids=advancing)
    match = {a.entry_id: a.match_fen for a in allocation.entries}
    alpha = agreement.krippendorff_alpha_interval({(letters[j], str(e)): t for j, e, t in rows})
    spread = agreement.disagreement(ranked.z)
    flags = agreement.flagged(spread)
    raw = {(letters[j], str(e)): t for j, e, t in rows}
    titles = dict(entries)

    def entry_row(c: ranking.CombinedEntry | None, entry_id: int) -> dict:
        key = str(entry_id)
        scores = {letter: {"raw": raw[letter, key], "z": _text(ranked.z[letter, key])}
                  for letter in letters.values() if (letter, key) in raw}
        row = {"entry_id": entry_id, "title": titles[entry_id], "scored": c is not None, "rank": None,
               "scores": scores, "judges": len(scores), "jury_score": None, "raw_mean": None,
               "support": support.get(entry_id, 0), "support_z": None, "combined": None, "tie_broken_by": None,
               "advances": False, "wins": False, "match_fen": None, "match": None,
               "disagreement": None, "flagged": False, "conflicts": conflicts.get(entry_id, 0)}
        if c is not None:
            row.update(rank=c.rank, jury_score=_text(c.jury_score), raw_mean=_text(c.raw_mean),
                       support_z=_text(c.support_z), combined=_text(c.combined), tie_broken_by=c.tie_broken_by,
                       advances=c.advances, wins=c.wins, disagreement=spread.get(key, 0.0),
                       flagged=key in flags)
            if c.advances:
                row.update(match_fen=match.get(key, 0), match=exports.yuan_text(match.get(key, 0)))
        return row

    scored = {int(c.entry_id) for c in combined.entries}
    rows_out = [entry_row(c, int(c.entry_id)) for c in combined.entries]
    rows_out += [entry_row(None, e) for e in ids if e not in scored]
    unallocated_fen = int(allocation.unallocated.scaleb(2))
    document = {
        "format": FORMAT,
        "contest": {"id": contest.id, "title": contest.title, "judging_closed_at": contest.judging_closes_at.isoformat(),
                    "computed_at": now.isoformat()},
        "formula": {"normalize": contest.normalize, "jury_weight": contest.jury_weight,
                    "support_weight": contest.support_weight, "support": "backers", "tie_rule": contest.tie_rule,
                    "order": ORDER[contest.tie_rule], "advance_count": contest.advance_count,
                    "winner_count": contest.winner_count,
                    "combined": "(jury_weight * jury_score + support_weight * support_z) / 100"},
        "matching": {"method": contest.matching_method, "pool_fen": contest.prize_pool_fen,
                     "pool": exports.yuan_text(contest.prize_pool_fen),
                     "cap": None if _cap(contest) is None else f"{_cap(contest):f}",
                     "matched": exports.yuan_text(contest.prize_pool_fen - unallocated_fen),
                     "unallocated_fen": unallocated_fen, "unallocated": exports.yuan_text(unallocated_fen)},
        "commands": commands(contest),
        "files": exports.file_links(contest.id),
        "judges": [{"judge": letter, "n": ranked.per_judge[letter].n, "mean": _text(ranked.per_judge[letter].mean),
                    "sd": _text(ranked.per_judge[letter].sd)} for letter in letters.values()],
        "support": {"mean": _text(combined.support_mean), "sd": _text(combined.support_sd)},
        "agreement": {"method": "krippendorff_alpha_interval", "alpha": alpha,
                      "flag_at": agreement.DISAGREEMENT_FLAG, "flagged": [int(e) for e in flags]},
        "entries": rows_out,
    }
    return document, {letter: account_id for account_id, letter in letters.items()}


def publish_results(session: Session, *, contest_id: int, now: datetime) -> ContestResult | None:
    """Publish the results once judging has closed; None when it has not, or when they are already out."""
    contest, _place = access.contest_and_place(session, contest_id)
    if rules.contest_phase(contest, now) != Phase.results or _published(session, contest.id):
        return None
    if contest.backing_settled_at is None:
        backing.settle_backing(session, contest_id=contest.id, now=now)
    contest, _place = access.contest_and_place(session, contest_id, lock="update")
    if _published(session, contest.id):  # another worker published while this one waited for the lock
        return None
    document, judges = compute(session, contest, now=now)
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    result = ContestResult(contest_id=contest.id, computed_at=now, document=text, judges=json.dumps(judges),
                           sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    session.add(result)
    _copy_onto_entries(session, contest.id, document)
    session.flush()
    audit.record(session, actor_id=None, action="contest.results_published", object_type="contest",
                 object_id=contest.id, payload={"sha256": result.sha256, "entries": len(document["entries"])},
                 now=now)
    _notify(session, contest, document, judges)
    return result


def _published(session: Session, contest_id: int) -> bool:
    return session.execute(select(ContestResult.id).where(ContestResult.contest_id == contest_id)).first() is not None


def _copy_onto_entries(session: Session, contest_id: int, document: dict) -> None:
    """Rank, advancing, winning and matching funds onto each entry, so that lists sort without the document."""
    rows = {e["entry_id"]: e for e in document["entries"]}
    for entry in session.execute(select(ContestEntry).where(ContestEntry.contest_id == contest_id)).scalars():
        row = rows.get(entry.id, {})
        entry.rank, entry.advances = row.get("rank"), bool(row.get("advances"))
        entry.wins, entry.match_fen = bool(row.get("wins")), row.get("match_fen")


def _notify(session: Session, contest: Contest, document: dict, judges: dict[str, int]) -> None:
    """Each judged entry's team hears its outcome; each judge who scored hears that the results are out."""
    url = f"/contests/{contest.id}/results"
    rows = {e["entry_id"]: e for e in document["entries"]}
    members = session.execute(select(EntryMember.entry_id, EntryMember.account_id)
                              .where(EntryMember.entry_id.in_(rows)).order_by(EntryMember.id)).all()
    for entry_id, account_id in members:
        row = rows[entry_id]
        outcome = ("wins" if row["wins"] else "advances" if row["advances"] else "ranked" if row["scored"]
                   else "not_scored")
        notify(session, account_id=account_id, subject=OUTCOMES[outcome], url=url,
               params={"entry": row["title"], "contest": contest.title, "rank": row["rank"]})
    for account_id in sorted({j.account_id for j in judging.judges(session, contest.id)} | set(judges.values())):
        notify(session, account_id=account_id, url=url, params={"title": contest.title},
               subject=N_("The results of “%(title)s” are published: thank you for judging."))


@due_job("publish_contest_results")
def publish_due(engine: Engine, settings: Settings, now: datetime) -> int:
    """Publish the results of every contest whose judging has closed, each in its own transaction."""
    with session_scope(engine) as session:
        due = session.execute(select(Contest.id).where(
            Contest.status == ContestStatus.published, Contest.judging_closes_at <= now,
            Contest.id.not_in(select(ContestResult.contest_id)))).scalars().all()
    done = 0
    for contest_id in due:
        with session_scope(engine) as session:
            done += publish_results(session, contest_id=contest_id, now=now) is not None
    return done
