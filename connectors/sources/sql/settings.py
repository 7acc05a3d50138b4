"""Constants of the SQL source: drivers, timeouts, batch sizes, the charsets that need no check."""

# URL scheme a user writes -> SQLAlchemy driver we use (PyMySQL and psycopg 3 need no client library on the machine).
DRIVERS = {
    "mysql": "mysql+pymysql", "mariadb": "mysql+pymysql", "mysql+pymysql": "mysql+pymysql", "mariadb+pymysql": "mysql+pymysql",
    "postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg", "postgresql+psycopg": "postgresql+psycopg",
}
SERVER_KINDS = {"mysql": "MariaDB/MySQL", "postgresql": "PostgreSQL"}
CONNECT_TIMEOUT_S = 5

# Session settings of every read. A stream reads whole tables with joins: hash joins are right, and a PostgreSQL
# without statistics yet (a dump restored minutes ago) would otherwise plan nested loops that rescan a joined table
# per row. MariaDB would drop a streamed read whose client is slow for 60 s.
SESSION_SETTINGS = {
    "postgresql": ("SET enable_nestloop = off",),
    "mysql": ("SET SESSION net_write_timeout = 3600, net_read_timeout = 3600",),
}

# dlt backend: "pyarrow" (rows through the Python driver into Arrow) or "connectorx" (Rust drivers straight into Arrow).
BACKEND = "connectorx"

# Column charsets whose every byte sequence the server validated on the way in (MariaDB refuses bad UTF-8),
# so no stored value can hold bytes outside them.
UNICODE_CHARSETS = frozenset({"utf8mb4", "utf8mb3", "utf8", "utf16", "utf16le", "utf32", "ucs2", "binary"})

# Of several rows of a joined table for one record, the one flagged primary wins (SuiteCRM's e-mail links),
# then the most recently modified.
PRIMARY_FLAGS = ("primary_address",)
MODIFIED_COLUMNS = ("date_modified",)
DELETED_COLUMN = "deleted"

# Columns the source adds to every raw row besides SOURCE_META.
TABLE_COLUMN = "source_table"  # which table of a union the row came from (no leading _: staging names drop it)
