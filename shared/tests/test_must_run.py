"""The must_run plugin: a skipped must_run check is listed with its reason, and fails the run
only with CI_REQUIRED_SKIPS_FAIL=1. Run in a child pytest on a throwaway suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SUITE = """
import pytest

@pytest.mark.must_run
def test_required_but_skipped():
    pytest.skip("no PostgreSQL here")

def test_optional_skip():
    pytest.skip("optional")

@pytest.mark.must_run
@pytest.mark.xfail(reason="known")
def test_required_expected_failure():
    assert False

@pytest.mark.must_run
def test_required_and_run():
    pass
"""


def _run(tmp_path: Path, required: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_suite.py").write_text(SUITE, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    must_run: x\n")
    env = {k: v for k, v in os.environ.items() if k != "CI_REQUIRED_SKIPS_FAIL"}
    if required is not None:
        env["CI_REQUIRED_SKIPS_FAIL"] = required
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "municipal_shared.kit.pytest_must_run", "-ra"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_skipped_must_run_check_is_listed_and_passes_without_the_variable(
    tmp_path: Path,
) -> None:
    done = _run(tmp_path, None)
    assert done.returncode == 0, done.stdout
    assert "must_run checks skipped here" in done.stdout
    assert "test_suite.py::test_required_but_skipped: no PostgreSQL here" in done.stdout
    assert "test_suite.py::test_optional_skip:" not in done.stdout  # not a must_run check
    assert "test_required_expected_failure:" not in done.stdout  # it ran


def test_a_skipped_must_run_check_fails_the_run_in_ci(tmp_path: Path) -> None:
    done = _run(tmp_path, "1")
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout
    assert "must_run checks skipped (CI_REQUIRED_SKIPS_FAIL=1: the run fails)" in done.stdout
    assert "test_suite.py::test_required_but_skipped: no PostgreSQL here" in done.stdout
