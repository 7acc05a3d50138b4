"""`python -m handover.dedup INPUT --entity contact|account --out OUT ...` (same as `handover dedup`)."""

import sys

from handover.dedup.command import main

sys.exit(main())
