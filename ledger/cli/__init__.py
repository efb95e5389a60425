"""The `topup` command line: a thin layer of options and output over the core."""

import os
import sys

from ledger.cli.click_words import speak_through_catalog
from ledger.cli.language import before_the_commands
from ledger.i18n import use

use(before_the_commands(sys.argv[1:], os.environ))  # before the commands are declared: their help is in it
speak_through_catalog()

from ledger.cli import cards, care, finding, records  # noqa: E402, F401  (each registers its commands)
from ledger.cli.app import app, main  # noqa: E402

__all__ = ["app", "main"]
