"""Where a record can come from, outside the program: one module per format, data and small
readers, no SQL and no ledger. `bills` (one module per payment app's layout), `messages` (a pasted
confirmation and the dates it states), `tables` (CSV, JSON and XLSX files in whatever encoding)."""
