"""`python -m gdviz class create|export|close`: a class board from scripts.

A refusal (wrong key, unknown code, database unavailable) exits with status 1 and one line
on stderr; it prints nothing on stdout and never echoes the code's key.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from typing import Any

from gdviz import classroom
from gdviz.classroom import ClassError

DEFAULT_BASE = "http://localhost:8501"
KEY_HELP = ("the teacher key printed by `class create` (default: the GDVIZ_TEACHER_KEY "
            "variable, which keeps the key out of the process list)")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the `class` subcommand (create, export, close) to the CLI's subparsers."""
    p = sub.add_parser("class", help="make, export and close a live class board",
                       description="Make, export and close a live class board. The database "
                       "is GDVIZ_DATABASE_URL, or SQLite in GDVIZ_DATA_DIR (default data/).")
    actions = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    create = actions.add_parser("create", help="make a class; prints its code and teacher key")
    create.add_argument("--hours", type=float, default=classroom.DEFAULT_HOURS,
                        help=f"hours until the class expires (default {classroom.DEFAULT_HOURS:g})")
    create.add_argument("--base-url", default=DEFAULT_BASE,
                        help=f"where gdviz is served, for the links (default {DEFAULT_BASE})")
    create.add_argument("--json", action="store_true", help="print one JSON object")
    create.set_defaults(run=run_create)
    for name, run, help_text in (("export", run_export, "write the submissions as CSV"),
                                 ("close", run_close, "stop the class taking submissions")):
        a = actions.add_parser(name, help=help_text)
        a.add_argument("code", help="the class's join code")
        a.add_argument("--teacher-key", default=os.environ.get("GDVIZ_TEACHER_KEY"),
                       help=KEY_HELP)
        a.set_defaults(run=run)
    return p


def run_create(args: argparse.Namespace) -> int:
    """Make a class and print its code, teacher key and links."""
    hours = classroom.expiry_hours(args.hours)
    try:
        made = _open_store().create_class(hours)
    except ClassError as err:
        return _refused(err)
    base = args.base_url.rstrip("/")
    info = {"code": made.code, "teacher_key": made.teacher_key,
            "board_url": classroom.board_url(base, made.code, made.teacher_key),
            "student_url": f"{base}/?class={made.code}",
            "expires_at": datetime.fromtimestamp(made.expires_at, UTC).isoformat(
                timespec="seconds")}
    if args.json:
        print(json.dumps(info))
    else:
        for name, value in info.items():
            print(f"{name}: {value}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Write the class's submissions as CSV to stdout (nothing at all if refused)."""
    key = _key(args)
    try:
        board = _open_store().read_board(args.code, key)
    except ClassError as err:
        return _refused(err)
    sys.stdout.write(classroom.csv_text(board.received))
    return 0


def run_close(args: argparse.Namespace) -> int:
    """Close the class: it takes no more submissions; its board and export stay."""
    key = _key(args)
    try:
        _open_store().close_class(args.code, key)
    except ClassError as err:
        return _refused(err)
    print("The class is closed: it takes no more submissions.")
    return 0


def _open_store():
    # imported here, so that only the class commands pay SQLAlchemy's ~0.3 s, not `descent`
    from gdviz import store

    return store.open_store()


def _key(args: argparse.Namespace) -> str:
    if not args.teacher_key:
        raise ValueError("give --teacher-key (or set GDVIZ_TEACHER_KEY)")
    return args.teacher_key


def _refused(err: ClassError) -> int:
    # the messages are made by gdviz.classroom and never hold a code or a key
    sys.stderr.write(f"gdviz: {err}\n")
    return 1
