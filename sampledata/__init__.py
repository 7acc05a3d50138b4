"""Independent sample-data generators used to judge Handover from the outside.

They are written without knowledge of Handover's matching and cleaning rules and import nothing from
`handover` or Dagster: pure Python, numpy/pandas and the standard library. Every generator is
deterministic per seed (no iteration over sets of strings, one `random.Random` per run).

- `sampledata.noisy_contacts`: heavily garbled CRM contacts with true person clusters and hard negatives.
- `sampledata.labelled_accounts`: company/account records with true clusters, branches and look-alikes.
- `sampledata.other_crm`: a second vendor's multi-file CRM export with a `truth.json`.
"""
