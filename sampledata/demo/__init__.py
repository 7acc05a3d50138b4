"""Deterministic generator of a dirty LegacyCRM export (see generator.generate_export)."""

from sampledata.demo.generator import generate_export, truth_path

__all__ = ["generate_export", "truth_path"]
