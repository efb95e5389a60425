"""The rules of the ledger, pure: no SQL, no files, no printing.

Values people type (`values`, `money`, `times`, `channels`), carriers' names and phone numbers
(`carriers`, `phones`), the one registry of record fields (`fields`), the hash chain's versioned
content and seals (`chain`, `seal`), the refusals shared by log, amend and check (`rules`), the
spreadsheet guard (`spreadsheet`), receipt files as values (`receipts`) and the names people read
for the ledger's words (`named`). What others write (messages, bills) is read in `sources`.
"""
