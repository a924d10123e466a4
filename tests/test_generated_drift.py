"""scripts/check_generated.sh: passes on the committed client, names a hand-edited file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "scripts" / "check_generated.sh"
GENERATED = ROOT / "generated" / "datlake_api"


def check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(CHECK), str(folder)], capture_output=True, text=True, check=False, timeout=120
    )


def test_drift_check_passes_on_the_committed_client_and_catches_a_hand_edit(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "datlake_api"
    shutil.copytree(GENERATED, copy, ignore=shutil.ignore_patterns("__pycache__"))

    result = check(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "matches" in result.stdout

    edited = copy / "models" / "health.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited by hand\n", encoding="utf-8")
    result = check(copy)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "models/health.py" in output
    assert "# edited by hand" in output
    assert "make generate" in output
