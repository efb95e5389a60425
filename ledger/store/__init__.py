"""The only place that speaks SQL.

`db` opens the file and runs every command in one transaction (`db.transaction`), mapping SQLite's
errors to ours in one place; `migrations` holds the schema steps; `models` the SQLModel tables.
`reads` and `search` read on plain sqlite3, which keeps reading commands fast and free of
SQLAlchemy; `projection` has SQLite compute the contract's record fields, down to finished CSV
lines. `writes` changes the ledger: single records and their receipts through the SQLModel session
that shares the transaction, cards and bulk imports through plain sqlite3, and every link of the
hash chain through its one writer, `append_links`.
"""
