"""Command line: `python -m gdviz descent ...`, `neuron ...` and `class ...`.

Invalid input exits with status 2 and one line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import sys

from gdviz import class_cli, descent, ledger, objectives
from gdviz.settings import DESCENT_FIELDS, by_key

DESCENT_HELP = """Print one line per gradient-descent step, in the seed's style, the new x last.

Values are TRUNCATED (not rounded) to --decimals places, as the seed prints them: 4.4576
shows as 4.45. With the defaults the 33 lines are exactly the seed's table."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, status 2, as argparse does, but no usage dump
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for both subcommands."""
    parser = _Parser(prog="python -m gdviz", description="gdviz from the command line")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    fields = by_key(DESCENT_FIELDS)
    d = sub.add_parser("descent", help="gradient descent on a 1-D objective",
                       description=DESCENT_HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    d.add_argument("--function", choices=objectives_choices(), default=fields["f"].default,
                   help=fields["f"].help)
    d.add_argument("--x0", default=fields["x0"].default, type=float, help="start x (default 8)")
    d.add_argument("--lr", default=fields["lr"].default, type=float,
                   help="learning rate (default 0.1)")
    d.add_argument("--steps", default=fields["steps"].default, type=int,
                   help="number of updates (default 33)")
    d.add_argument("--decimals", default=2, type=int,
                   help="places shown; values are truncated, not rounded (default 2)")
    for name in ("a", "b", "c"):
        d.add_argument(f"--{name}", default=fields[name].default, type=float,
                       help=f"quadratic only: {name} in ax^2 + bx + c")
    d.set_defaults(run=run_descent)
    try:
        from gdviz import neuron_cli  # added with the neuron lesson
    except ImportError:
        pass
    else:
        neuron_cli.add_parser(sub)
    class_cli.add_parser(sub)
    return parser


def objectives_choices() -> tuple[str, ...]:
    return by_key(DESCENT_FIELDS)["f"].choices


def run_descent(args: argparse.Namespace) -> int:
    """Print the ledger of one descent run; a diverged run ends with a line saying so."""
    if not 0 <= args.decimals <= 12:
        raise ValueError("decimals must be between 0 and 12")
    obj = objectives.by_name(args.function, args.a, args.b, args.c)
    run = descent.descend(obj, args.x0, args.lr, args.steps)
    for line in ledger.lines(run, obj, args.decimals):
        print(line)
    if run.status == "diverged":
        print(run.reason)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ValueError as err:
        sys.stderr.write(f"gdviz: error: {err}\n")
        return 2
