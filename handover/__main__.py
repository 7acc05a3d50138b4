import sys

from handover.cli import main

sys.exit(main())
