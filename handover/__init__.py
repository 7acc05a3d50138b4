"""Handover: move customers from one CRM to another, and from one owner to another, losing nothing."""

import os

# No phoning home from the libraries we drive, on any host: set before they are imported.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

__version__ = "0.1.0"
