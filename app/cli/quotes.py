"""``taxa quote FILE.json``: the quote of ``POST /v1/quotes`` from the command line.

The same JSON in (``-`` reads standard input), the same JSON out on standard output, priced on
the schedules in force in the database (``DATABASE_URL``). ``--format pdf|html -o FILE`` writes
the kostnadsförslag instead (as ``?format=pdf|html``). Bad input: the error on standard error,
with the field named, and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.cli.console import database, today
from app.config import DEFAULT_OWNER, Settings


def cmd_quote(args: argparse.Namespace, settings: Settings) -> int:

    from app.jour.windows import jour_config
    from app.quotes.estimate import DocumentFormat, render
    from app.quotes.quoting import run_quote
    from app.quotes.rules import (
        default_terms,
        load_estimate_terms,
        load_regional_rules,
        load_rule_sets,
    )
    from app.quotes.schemas import QuoteIn
    from app.snapshot import load_snapshot

    document = DocumentFormat(args.format)
    if document is DocumentFormat.PDF and not args.output:
        print("error: --format pdf needs -o FILE", file=sys.stderr)
        return 2

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
        data: Any = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 1
    try:
        body = QuoteIn.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "(the document)"
            print(f"error: {where}: {error['msg']}", file=sys.stderr)
        return 1
    with database(settings, write=False) as session:
        snap = load_snapshot(session)
    day = today()
    result = run_quote(
        body,
        snap,
        load_rule_sets(),
        jour_config(),
        today=day,
        default_owner=DEFAULT_OWNER,
        regional_rules=load_regional_rules(),
    )  # bad input raises a PricingError/AppError: app.cli.main prints it and exits 1
    if document is DocumentFormat.JSON:
        content = (result.model_dump_json(indent=2) + "\n").encode("utf-8")
    else:
        terms = load_estimate_terms().get(result.owner) or default_terms(result.owner)
        content = render(result, body, terms, day, document)
    if args.output:
        Path(args.output).write_bytes(content)
    else:
        sys.stdout.write(content.decode("utf-8"))
    return 0


def register(sub: Any) -> None:
    """Add ``quote`` to the ``taxa`` command's subparsers."""
    p = sub.add_parser(
        "quote",
        help="quote a treatment (the JSON of POST /v1/quotes) on the schedules in force",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="the request as JSON; - reads standard input")
    p.add_argument(
        "--format",
        choices=["json", "html", "pdf"],
        default="json",
        help="json: the quote (default); html or pdf: the kostnadsförslag",
    )
    p.add_argument(
        "--output", "-o", help="write to this file (needed for pdf); default: standard output"
    )
    p.set_defaults(func=cmd_quote)
