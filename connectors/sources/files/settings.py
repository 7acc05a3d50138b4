"""Constants of the CSV/XLSX export reader."""

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = ",;\t|"

# Fraction of physical lines that may fail to decode before we stop believing a file is UTF-8.
UTF8_BAD_LINE_SHARE = 0.01

CHUNK_ROWS = 50_000

# Columns the reader adds to every raw row: the core's record identity and provenance.
from handover.ports import DELETED, RAW_ERROR as ERROR_COLUMN, RAW_TEXT as TEXT_COLUMN, RECORD_KEY, SOURCE_FILE as FILE_COLUMN, SOURCE_LINE as LINE_COLUMN  # noqa: E402

META_COLUMNS = (RECORD_KEY, FILE_COLUMN, LINE_COLUMN, ERROR_COLUMN, TEXT_COLUMN, DELETED)
