"""What `make run` does, read from the Makefile without running it (make -n)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def planned_run(*variables: str) -> str:
    result = subprocess.run(
        ["make", "-n", "run", *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_serves_on_port_8000_by_default():
    assert "runserver 127.0.0.1:8000" in planned_run()


def test_make_run_takes_the_port_from_PORT():
    plan = planned_run("PORT=8123")
    assert "runserver 127.0.0.1:8123" in plan
    assert "http://127.0.0.1:8123" in plan
