"""Data generators: the demo's old-CRM export and independent sets that judge Handover from the outside.

They import nothing from `handover` or Dagster (an import-linter contract checks it): pure Python,
numpy/pandas and the standard library, deterministic per seed.

- `sampledata.demo`: the demo's dirty LegacyCRM export (`handover demo-data`).
- `sampledata.noisy_contacts`: heavily garbled CRM contacts with true person clusters and hard negatives,
  written without knowledge of Handover's matching and cleaning rules.
- `sampledata.labelled_accounts`: company/account records with true clusters, branches and look-alikes.
- `sampledata.other_crm`: a second vendor's multi-file CRM export with a `truth.json`.
"""
