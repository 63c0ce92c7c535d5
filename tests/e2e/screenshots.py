"""Retake the README's screenshots (docs/*.png): `python -m tests.e2e.screenshots`.

The browser tests photograph the pages they check; in a normal test run the pictures go to a
temporary folder, so no run changes tracked files. This command runs the browser tests with the
pictures going to docs/ instead; review them (open the PNGs) before committing. Extra arguments
are passed to pytest, e.g. `python -m tests.e2e.screenshots -k learn` for one page's pictures.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

if __name__ == "__main__":
    env = {**os.environ, "ATTENTION_DOC_SCREENSHOTS": "1"}
    command = [sys.executable, "-m", "pytest", "tests/e2e", "-m", "e2e", "-q", *sys.argv[1:]]
    sys.exit(subprocess.call(command, cwd=ROOT, env=env))
