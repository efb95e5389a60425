"""The one family of errors the core raises; the CLI turns each into `error: …` and an exit code."""


class LedgerError(Exception):
    """A refusal the user can act on. `exit_code` is what the command exits with."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(LedgerError):
    """A value the user typed cannot be accepted as it is."""


class NotFound(LedgerError):
    """A card, record or file that the user named does not exist."""


class NoLedger(NotFound):
    """There is no ledger where one was looked for yet (an interface says how to start one)."""


class Duplicate(LedgerError):
    """The ledger already holds what the user is trying to add."""


class LimitExceeded(LedgerError):
    """A card's single top-up limit or balance cap would be broken."""


class NotALedger(LedgerError):
    """The file named as the ledger is not a topup ledger; it is left untouched."""


class SchemaTooNew(LedgerError):
    """The ledger was written by a newer version of topup-ledger; it is left untouched."""


class DamageFound(LedgerError):
    """`verify` or `doctor` found something wrong in the ledger."""

    exit_code = 3
