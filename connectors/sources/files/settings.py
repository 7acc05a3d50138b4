"""Constants of the CSV/XLSX export reader."""

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = ",;\t|"

# Fraction of physical lines that may fail to decode before we stop believing a file is UTF-8.
UTF8_BAD_LINE_SHARE = 0.01

CHUNK_ROWS = 50_000

# Columns the reader adds to every raw row.
FILE_COLUMN = "_source_file"
LINE_COLUMN = "_source_line"
ERROR_COLUMN = "_raw_error"
TEXT_COLUMN = "_raw_text"
META_COLUMNS = (FILE_COLUMN, LINE_COLUMN, ERROR_COLUMN, TEXT_COLUMN)
