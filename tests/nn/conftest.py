"""Make the sibling helper module ``nn_testutil`` importable under any pytest import mode (this
folder has no __init__.py, so that it never shadows the ``nn`` package)."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
