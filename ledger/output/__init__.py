"""Writing records out: CSV and JSON (`formats`) and files that appear only when complete (`files`)."""
