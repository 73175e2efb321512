"""The bench scripts that need numpy or TensorFlow start with `#!/usr/bin/env python3`, which in a
fresh shell is the system's python without either: ensure() runs the script again under the
project's .venv (made by scripts/setup.sh) when it was started by another python."""

import os
import sys


def ensure(repo):
    venv = os.path.join(repo, ".venv")
    py = os.path.join(venv, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        return
    if not os.path.exists(py):
        sys.exit(f"{os.path.basename(sys.argv[0])}: no {venv}: run scripts/setup.sh first")
    os.execv(py, [py, *sys.argv])
