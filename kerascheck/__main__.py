import os
import sys

# `python -m kerascheck` puts the working directory first on sys.path. In a project with a folder named like a
# standard module (`random/`, `logging/`, as in Keras's own sources), that folder would shadow the standard
# library inside kerascheck. kerascheck is already imported by now; the entry stays only when it is where
# kerascheck itself was found (a source checkout run without installing).
_SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if sys.path and os.path.abspath(sys.path[0] or os.curdir) != _SOURCE_ROOT:
    del sys.path[0]

from kerascheck.cli import main  # noqa: E402 - after the sys.path repair above

main()
