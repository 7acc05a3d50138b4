"""Data generators: the demo's old-CRM export and independent sets for tests and benchmarks. Never imported by the core."""
