"""``python -m glassgrad demo``: the ``glassgrad`` command without installing its script."""

import sys

from glassgrad.cli import main

# The guard keeps worker processes (spawned by `glassgrad search --jobs`) from running the command again.
if __name__ == "__main__":
    sys.exit(main())
