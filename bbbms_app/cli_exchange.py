"""`python -m bbbms_app exchange …`: the exchange files keyed by PIN and OKPO (services/exchange.py).

- `exchange export --term ID --out F [--school ID]`: a term's marks, attendance and quarter marks
  as one flat table (XLSX, or CSV when F ends in .csv), written readable by the operator only
  (it holds PINs) and audited as an `export` with the console operator's name.
- `exchange import FILE --order ORDER [--school ID] [--dry-run]`: the contingent from an enrolment
  system's flat table, all rows or none, each problem printed with its row and column.

Kept apart from cli.py (which registers them with one call, `add_commands`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bbbms_app import cli, db


def _cmd_export(args: argparse.Namespace) -> int:
    from bbbms_app.services import audit, exchange
    from bbbms_app.services.errors import NotFound

    out = cli._writable_target(Path(args.out))
    cli.require_database()
    school = cli._operator_school(args.school)
    fmt = "csv" if args.out.lower().endswith(".csv") else "xlsx"
    try:
        with db.session() as s:
            table = exchange.export_rows(s, school, args.term)
            audit.record(s, None, "export", "api_exchange", reason=f"term {args.term}, {len(table.rows)} rows, {fmt}",
                         username=cli._operator(), school_id=school)  # fmt: skip
    except NotFound:
        raise cli.CliError("exchange.error.no_term", id=args.term) from None
    cli.write_private(out, exchange.to_csv(table) if fmt == "csv" else exchange.to_xlsx(table))
    print(cli._say("exchange.export.written", path=str(out), rows=len(table.rows)))
    if table.without_pin:
        print(cli._say("exchange.export.without_pin", count=table.without_pin), file=sys.stderr)
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from bbbms_app.services import exchange
    from bbbms_app.services.engine import imports

    data = cli._read_input(args.file)
    cli.require_database()
    school = cli._operator_school(args.school)
    lang = cli._lang_now
    with db.session(write=True) as s:
        result = exchange.import_contingent(s, None, data, Path(args.file).name, args.order, lang=lang,
                                            dry_run=args.dry_run, school_id=school)  # fmt: skip
    for e in result.errors:
        where = ", ".join(p for p in (cli._say("cli.import.row", row=e.row) if e.row else "", e.column) if p)
        what = f"«{e.value}»: {e.message}" if e.value else e.message
        print(f"{where}: {what}" if where else what, file=sys.stderr)
    print(imports.summary(result, lang), file=sys.stderr if result.errors else sys.stdout)
    return 1 if result.errors else 0


def add_commands(sub) -> None:
    ex = sub.add_parser("exchange", help="exchange files keyed by PIN and OKPO (the national e-journal)")
    exs = ex.add_subparsers(dest="exchange_command", required=True)
    e = exs.add_parser("export", help="a term's marks, attendance and quarter marks as one flat table")
    e.add_argument("--term", type=int, required=True, help="the term's id")
    e.add_argument("--out", required=True, help="the file to write: .xlsx or .csv")
    e.add_argument("--school", type=int, default=None, help="school id (needed when there are several)")
    e.set_defaults(func=_cmd_export)
    i = exs.add_parser("import", help="the contingent from an enrolment system's table (all rows or none)")
    i.add_argument("file", help="XLSX or CSV: PIN, last name, first name, patronymic, birth date, sex, class, language")
    i.add_argument("--order", required=True, help="the admission order the new pupils arrive under, e.g. «45-у»")
    i.add_argument("--school", type=int, default=None, help="school id (needed when there are several)")
    i.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    i.set_defaults(func=_cmd_import)
