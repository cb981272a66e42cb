"""The layer rules (pyproject.toml's import-linter contracts) hold, so CI enforces them too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from meetings_ui.config import PROJECT_ROOT


def test_the_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
