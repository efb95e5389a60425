"""The rules of the ledger, pure: no SQL, no files, no printing.

Values people type (`values`, `money`, `times`, `channels`), the pasted-message reader
(`message`), the one registry of record fields (`fields`), the hash chain's versioned content
(`chain`), the refusals shared by log, amend and check (`rules`), the spreadsheet guard
(`spreadsheet`) and receipt files as values (`receipts`).
"""
