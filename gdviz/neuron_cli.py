"""`python -m gdviz neuron ...`: train one neuron and print its training log.

Every option is read through the same settings table as the page, so the CLI accepts and
refuses exactly what a link would, with the same words.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

from gdviz import neuron
from gdviz.data import make_pets
from gdviz.settings import NEURON_FIELDS, by_key

FIELDS = by_key(NEURON_FIELDS)

HELP = """Train one sigmoid neuron on synthetic cats and dogs and print its training log:
a header line, then one row per logged epoch starting with epoch 0 (before any update):
epoch, train cost, test cost, train accuracy (a fraction). How the run ended goes to stderr."""


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the `neuron` subcommand to the CLI's subparsers.

    Args:
        sub: the object argparse's add_subparsers() returned.

    Returns:
        The new subparser.
    """
    p = sub.add_parser("neuron", help="train a sigmoid neuron on cats vs dogs",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    for key in ("lr", "epochs", "n", "noise", "balance", "split", "seed"):
        f = FIELDS[key]
        p.add_argument(f"--{key}", default=str(f.default),
                       help=f"{f.label}: {f.allowed()} (default {f.default})")
    for key in ("loss", "init"):
        f = FIELDS[key]
        p.add_argument(f"--{key}", default=f.default, choices=f.choices,
                       help=f"{f.help} (default {f.default})")
    p.add_argument("--batch", default="full",
                   help="'full' (default, as the seed) or a mini-batch size (1 = stochastic)")
    p.add_argument("--standardize", action=argparse.BooleanOptionalAction,
                   default=FIELDS["standardize"].default,
                   help="rescale kg and cm to mean 0, spread 1 (default on)")
    p.add_argument("--every", default="1",
                   help="log every this many epochs; the final epoch is always logged")
    p.set_defaults(run=run_neuron)
    return p


def settings_from(args: argparse.Namespace) -> dict[str, Any]:
    """Parse and range-check every option through the settings table.

    Raises:
        ValueError: naming the option and what it accepts.
    """
    values = {key: FIELDS[key].parse(getattr(args, key))
              for key in ("lr", "epochs", "n", "noise", "balance", "split", "seed",
                          "loss", "init")}
    values["standardize"] = bool(args.standardize)
    batch = str(args.batch).strip().lower()
    values["batch"] = 0 if batch == "full" else FIELDS["batch"].parse(batch)
    return values


def run_neuron(args: argparse.Namespace) -> int:
    """Print the log of one training run; returns the exit status."""
    values = settings_from(args)
    every = parse_every(args.every)
    data = make_pets(values["n"], values["noise"], values["balance"], values["split"],
                     values["seed"])
    run = neuron.train(neuron.NeuronSettings.from_values(values), data)
    for line in log_lines(run, every):
        print(line)
    sys.stderr.write(run.reason + "\n")
    return 0


def parse_every(raw: str) -> int:
    """--every as a whole number ≥ 1.

    Raises:
        ValueError
    """
    try:
        every = int(str(raw).strip())
    except ValueError:
        raise ValueError(f"every must be a whole number, not {str(raw)[:20]!r}") from None
    if every < 1:
        raise ValueError("every must be at least 1")
    return every


def log_lines(run: neuron.TrainingRun, every: int) -> list[str]:
    """The header and one row per logged epoch."""
    lines = ["epoch train_cost test_cost train_accuracy"]
    for k in neuron.logged_epochs(run.final, every):
        lines.append(f"{k} {run.train_cost[k]:.6f} {run.test_cost[k]:.6f} "
                     f"{run.train_acc[k]:.4f}")
    return lines
