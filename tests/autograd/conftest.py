import os
import sys

# The op table is shared by several test modules (import mode is importlib, so add the folder).
sys.path.insert(0, os.path.dirname(__file__))
