"""No silent skips: the `must_run` marker names the checks CI's PostgreSQL pass has to run.

Such a check may skip elsewhere (on SQLite, without the reference copies, without
SCHEMATHESIS=1); the summary then lists it with its reason. With CI_REQUIRED_SKIPS_FAIL=1
(.ci/run sets it for its PostgreSQL pass) a skipped must_run check fails the run, so a
missing database, reference copy or setting cannot turn a required check green by skipping.

Loaded for every suite by `-p municipal_shared.kit.pytest_must_run` (pyproject.toml), the
marker is registered there too; a test opts in with `@pytest.mark.must_run`.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

ENV_VAR = "CI_REQUIRED_SKIPS_FAIL"
MARKER = "must_run"

_skipped = pytest.StashKey[list[tuple[str, str]]]()


def _required() -> bool:
    return os.environ.get(ENV_VAR) == "1"


def _reason(report: pytest.TestReport) -> str:
    # A skip's longrepr is (path, line, "Skipped: <reason>").
    if isinstance(report.longrepr, tuple):
        message = report.longrepr[2]
        return message.removeprefix("Skipped: ")
    return str(report.longrepr)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_skipped] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    # An expected failure is reported as skipped as well; it ran, so it is no skip here.
    if report.skipped and not hasattr(report, "wasxfail") and item.get_closest_marker(MARKER):
        item.config.stash[_skipped].append((item.nodeid, _reason(report)))
    return report


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _required() and session.config.stash[_skipped] and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    skipped = config.stash[_skipped]
    if not skipped:
        return
    if _required():
        title = f"must_run checks skipped ({ENV_VAR}=1: the run fails)"
        terminalreporter.section(title, sep="=", red=True, bold=True)
    else:
        title = f"must_run checks skipped here (CI's PostgreSQL pass runs them, {ENV_VAR}=1)"
        terminalreporter.section(title, sep="=", yellow=True)
    for nodeid, reason in skipped:
        terminalreporter.line(f"SKIPPED {nodeid}: {reason}")
