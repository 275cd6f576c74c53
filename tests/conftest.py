import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


@pytest.fixture
def run_cli(tmp_path):
    """Run the real command line in a subprocess, as a user would."""
    import subprocess

    def run(*args, cwd=None, input=None):
        env = dict(os.environ)
        env.setdefault("PYTHONIOENCODING", "utf-8")
        return subprocess.run([sys.executable, "-m", "kerascheck", *args], cwd=cwd or REPO, input=input,
                              capture_output=True, text=True, env=env, timeout=300)

    return run
