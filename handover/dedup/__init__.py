"""Entity resolution for contacts and accounts: exact rules, a Splink model, careful clustering.

    from handover.dedup import ProbabilisticConfig, resolve
    result = resolve(frame, "contact")            # frame: `id` + canonical columns
    result.cluster_id                             # representative id per row (same index as frame)
    result.pairs, result.review                   # merged pairs and pairs left for a reviewer

The command: `handover dedup INPUT --entity contact|account --out OUT` (see handover.dedup.command).
"""

from handover.dedup.guards import DEFAULT_GUARDS, GUARDS
from handover.dedup.engine import DEFAULT_RULES, ProbabilisticConfig, Resolution, parse_rules, resolve
from handover.dedup.prepare import ACCOUNT_COLUMNS, CANONICAL, CONTACT_COLUMNS, prepare

__all__ = [
    "ACCOUNT_COLUMNS",
    "CANONICAL",
    "CONTACT_COLUMNS",
    "DEFAULT_GUARDS",
    "DEFAULT_RULES",
    "GUARDS",
    "ProbabilisticConfig",
    "Resolution",
    "parse_rules",
    "prepare",
    "resolve",
]
