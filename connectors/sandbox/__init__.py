"""A local stand-in for the SaaS CRMs: one loopback HTTP server that speaks HubSpot and Salesforce as their vendors
publish them, over SQLite, with faults injected from config. Connectors run against it with only the base URL
changed. `handover sandbox start|seed|stop` (app/sandbox.py) runs it as a process; tests use `serve_in_thread`."""

from connectors.sandbox.seed import Size, seed_all
from connectors.sandbox.server import RunningSandbox, base_urls, build_app, serve_in_thread

__all__ = ["RunningSandbox", "Size", "base_urls", "build_app", "seed_all", "serve_in_thread"]
