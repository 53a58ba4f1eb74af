import os
import sys

# make `tests.*` importable (the registries) when pytest runs from the repository root
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
