"""A self-hosted SuiteCRM database to migrate from: its schema, a generator of lived-in rows, and a seeder."""

from sampledata.suitecrm.generate import SuiteCrmData, generate, truth
from sampledata.suitecrm.seed import SeedError, seed

__all__ = ["SeedError", "SuiteCrmData", "generate", "seed", "truth"]
