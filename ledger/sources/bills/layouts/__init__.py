"""One module per bill source, each declaring `SOURCE` (a `BillSource`): adding a source is adding a
module here, with its tests."""
