"""The use cases, by concept. Each takes an open `store.db.Tx` (or, for care of the file itself,
the ledger's path), returns declared types and never prints."""
