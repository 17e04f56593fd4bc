"""The `civic` console script: parses arguments, calls services, prints. Bad input → one line, exit 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from civic.errors import DomainError, FileInputError


def _settings():
    from civic.settings import load_settings

    return load_settings()


def _engine():
    from civic.db import import_all_models, make_engine

    import_all_models()
    return make_engine(_settings().database_url)


def cmd_db_upgrade(args) -> int:
    from civic import migrate

    migrate.upgrade(_settings().database_url, args.revision)
    print(f"database upgraded to {args.revision}")
    return 0


def cmd_db_downgrade(args) -> int:
    from civic import migrate

    migrate.downgrade(_settings().database_url, args.revision)
    print(f"database downgraded to {args.revision}")
    return 0


def cmd_db_check(args) -> int:
    from civic import migrate

    migrate.check(_settings().database_url)
    print("models and migrations agree")
    return 0


def cmd_fixtures_load(args) -> int:
    from civic import fixtures

    summary = fixtures.load(_engine(), args.name, progress=not args.quiet)
    print(summary)
    return 0


def cmd_users_create(args) -> int:
    import getpass

    from civic.auth import service as auth_service
    from civic.db import session_scope

    password = args.password or getpass.getpass("Password: ")
    with session_scope(_engine()) as session:
        account = auth_service.create_account_with_roles(
            session, display_name=args.name, email=args.email, phone=args.phone, password=password,
            roles=args.role or [],
        )
        print(f"created account {account.id} ({account.email or account.phone})")
    return 0


def cmd_register_import(args) -> int:
    from civic.places import importer

    report = importer.import_file(_engine(), args.file, dry_run=args.dry_run, progress=not args.quiet)
    print(report)
    return 0


def cmd_audit_verify(args) -> int:
    from civic import audit
    from civic.db import session_scope

    with session_scope(_engine()) as session:
        report = audit.verify(session)
    if report.ok:
        print(f"audit chain intact: {report.events} events, head {report.head}")
        return 0
    print(f"audit chain broken at event {report.broken_at}: {report.reason} "
          f"({report.events} events verified before it)", file=sys.stderr)
    return 1


def cmd_jobs_run_due(args) -> int:
    from civic import jobs

    lines = list(jobs.run_due(_engine(), _settings()))
    for line in lines:
        print(line)
    return 0 if all(line.ok for line in lines) else 1


def cmd_tally(args) -> int:
    import json

    from civic.votes.rules import decision_dict
    from civic.votes.tally import tally_files

    decision = tally_files(args.roll, args.ballots, args.rule)
    if args.json:
        print(json.dumps(decision_dict(decision), ensure_ascii=False, indent=2))
    else:
        print("\n".join(decision.explanation))
    return 0


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], left: Sequence[int] = ()) -> list[str]:
    """Columns padded to their widest cell: the `left` columns flush left, the others (numbers) right."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    return ["  ".join(cell.ljust(w) if i in left else cell.rjust(w)
                      for i, (cell, w) in enumerate(zip(line, widths, strict=True))).rstrip()
            for line in (header, *rows)]


def cmd_rank(args) -> int:
    import json

    from civic.contests.ranking import as_text, rank, ranking_json, read_scores

    if args.advance < 0:
        raise FileInputError("--advance", None, "must be 0 or more")
    ranking = rank(read_scores(args.scores), args.normalize, args.advance)
    if args.json:
        print(json.dumps(ranking_json(ranking), ensure_ascii=False, indent=2))
        return 0
    ties = {"raw_mean": "tie broken by raw mean", "entry_id": "tie broken by entry id"}
    rows = [(str(e.rank), e.entry_id, as_text(e.score), as_text(e.raw_mean), str(e.judges),
             "yes" if e.advances else "", ties.get(e.tie_broken_by or "", "")) for e in ranking.entries]
    header = ("rank", "entry", "z score" if ranking.normalize == "zscore" else "score", "raw mean", "judges",
              "advances", "")
    print("\n".join(_table(header, rows, left=(1, 6))))
    return 0


def _amount(option: str, text: str):
    """A --pool or --cap value as a Decimal, or a one-line error naming the option."""
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise FileInputError(option, None, f"{text!r} is not a number")
    return value


def cmd_match(args) -> int:
    import json
    from decimal import Decimal

    from civic.contests.matching import allocate, allocation_json, amount_fen, read_contributions

    pool = _amount("--pool", args.pool)
    if pool < 0:
        raise FileInputError("--pool", None, "must be 0 or more")
    if pool:
        try:
            amount_fen(pool)
        except ValueError as exc:
            raise FileInputError("--pool", None, str(exc)) from None
    cap = None if args.cap is None else _amount("--cap", args.cap)
    if cap is not None and not 0 < cap <= 1:
        raise FileInputError("--cap", None, "must be above 0 and at most 1 (a fraction of the pool)")
    allocation = allocate(pool, read_contributions(args.contributions), args.method, cap)
    if args.json:
        print(json.dumps(allocation_json(allocation), ensure_ascii=False, indent=2))
        return 0
    rows = [(e.entry_id, str(e.backers), f"{e.contributions:,f}", f"{e.match:,f}") for e in allocation.entries]
    matched = allocation.pool - allocation.unallocated
    rows.append(("total", "",  # a backer of two entries is one backer: their counts do not add up
                 f"{sum((e.contributions for e in allocation.entries), Decimal('0.00')):,f}", f"{matched:,f}"))
    print("\n".join(_table(("entry", "backers", "contributions", "match"), rows, left=(0,))))
    print(f"unallocated {allocation.unallocated:,f} of the pool of {allocation.pool:,f} "
          f"({allocation.method}{'' if cap is None else f', cap {cap} of the pool'})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civic", description="Civic: run, load and verify a Civic site.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="database schema migrations").add_subparsers(dest="action", required=True)
    p = db.add_parser("upgrade", help="apply migrations (default: to the newest)")
    p.add_argument("--revision", default="head")
    p.set_defaults(func=cmd_db_upgrade)
    p = db.add_parser("downgrade", help="revert migrations (default: all of them)")
    p.add_argument("--revision", default="base")
    p.set_defaults(func=cmd_db_downgrade)
    db.add_parser("check", help="fail if the models and the migrations disagree").set_defaults(func=cmd_db_check)

    fx = commands.add_parser("fixtures", help="demo data").add_subparsers(dest="action", required=True)
    p = fx.add_parser("load", help="load a named data set (idempotent)")
    p.add_argument("name", choices=["demo"])
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_fixtures_load)

    users = commands.add_parser("users", help="accounts").add_subparsers(dest="action", required=True)
    p = users.add_parser("create", help="create a local account")
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--email")
    p.add_argument("--phone")
    p.add_argument("--password", help="prompted for when omitted")
    p.add_argument("--role", action="append", metavar="ROLE[:SCOPE_TYPE:ID]",
                   help="grant a role, e.g. administrator or staff:place:12 (repeatable)")
    p.set_defaults(func=cmd_users_create)

    reg = commands.add_parser("register", help="the place register").add_subparsers(dest="action", required=True)
    p = reg.add_parser("import", help="import units and owners from a property-office CSV (see docs/register.md)")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="validate every row, change nothing")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_register_import)

    p = commands.add_parser("tally", help="recount a vote from its open data (roll.csv, ballots.csv)")
    p.add_argument("--roll", required=True, help="CSV with header unit_id,voter_key,area")
    p.add_argument("--ballots", required=True, help="CSV with header voter_key,choice (yes/no/abstain)")
    p.add_argument("--rule", required=True, help="preset: cn278-ordinary, cn278-major, cn-residents-meeting, majority, two-thirds")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_tally)

    p = commands.add_parser("rank", help="rank contest entries from the judges' scores (see docs/contests.md)")
    p.add_argument("--scores", required=True, metavar="SCORES.csv",
                   help="CSV with header judge_id,entry_id,score (one row per judge and entry)")
    p.add_argument("--normalize", choices=["zscore", "none"], default="zscore",
                   help="zscore (default): each judge's scores as z-scores; none: raw scores")
    p.add_argument("--advance", type=int, default=0, metavar="N", help="how many entries advance (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_rank)

    p = commands.add_parser("match", help="share a matching pool among contest entries (see docs/contests.md)")
    p.add_argument("--pool", required=True, metavar="AMOUNT", help="the pool in yuan, at most 2 decimals")
    p.add_argument("--contributions", required=True, metavar="FILE.csv",
                   help="CSV with header entry_id,backer_key,amount (yuan, positive, at most 2 decimals)")
    p.add_argument("--method", required=True, choices=["quadratic", "proportional"],
                   help="quadratic: (Σ√c)² − Σc per entry; proportional: Σc per entry")
    p.add_argument("--cap", metavar="F", help="no entry gets more than F × pool (0 < F ≤ 1); the rest is "
                   "shared among the others, and what cannot be placed is reported as unallocated")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_match)

    audit_cmd = commands.add_parser("audit", help="the audit chain").add_subparsers(dest="action", required=True)
    audit_cmd.add_parser("verify", help="re-hash every event; name the first broken link").set_defaults(
        func=cmd_audit_verify)

    jobs_cmd = commands.add_parser("jobs", help="scheduled work").add_subparsers(dest="action", required=True)
    jobs_cmd.add_parser("run-due", help="run everything that is due now (mail, closing votes, reminders)").set_defaults(
        func=cmd_jobs_run_due)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except FileInputError as exc:
        print(exc.one_line(), file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"civic: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"{exc.filename}: no such file", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
