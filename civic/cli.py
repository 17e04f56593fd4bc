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
