"""The `topup` command line: a thin layer of options and output over the core."""

from ledger.cli import cards, care, finding, records  # noqa: F401  (each registers its commands)
from ledger.cli.app import app, main

__all__ = ["app", "main"]
