"""The use cases, by concept. Each takes the transaction it runs in (a `store.interface.Ledger`),
or for care of the ledger as a whole its location; it returns declared types and never prints."""
