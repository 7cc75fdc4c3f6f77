"""``python -m glassgrad demo``: the ``glassgrad`` command without installing its script."""

import sys

from glassgrad.cli import main

sys.exit(main())
