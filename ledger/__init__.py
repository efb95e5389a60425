"""topup-ledger: a personal ledger of top-ups, receipts and disputes."""

__version__ = "0.1.0"
