"""`topup serve`: the ledger in a browser, over the same core as the command line."""
