"""Faults that only a real stack allows: the database container restarted under a stream of
writes, the indicator container stopped while procurement figures wait in the outbox, and a
service's process killed outright and brought back by compose's restart policy.

They run against a compose stack (BUDGET_URL, INDICATORS_URL, PROCUREMENT_URL) whose
containers the suite is allowed to control: STACK_CONTAINER_ENGINE names the engine's command
(docker or podman) and STACK_COMPOSE_PROJECT the compose project (municipal-steering by
default). `make compose-test` (deploy/compose-ci.sh) sets both; elsewhere they are skipped
and say why. Each prints the numbers it saw."""

from __future__ import annotations

import itertools
import os
import random
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar
from uuid import uuid4

import httpx
import pytest

from municipal_shared.kit.auth import issue_development_token
from municipal_shared.kit.settings import AuthSettings

SERVICES = {"budget": "BUDGET", "indicators": "INDICATORS", "procurement": "PROCUREMENT"}
OUTCOMES = "/v1/registers/0580/KS/outcomes"
PERSONNEL = "personalomsattning"
MEAN = "antal-anbudsgivare-per-upphandling"
SME = "andel-sma-och-medelstora-sme"
KS_BUDGET = "/v1/budgets/0580/KS/2018"
STOP_GRACE = {"postgres": 10, "budget": 20, "indicators": 20, "procurement": 20}
"""Seconds to wait for a graceful stop: the compose file's stop_grace_period (10 s default)."""

T = TypeVar("T")


def _headers(scope: str) -> dict[str, str]:
    token = issue_development_token(AuthSettings(mode="development"), [scope], "stack-faults")
    return {"Authorization": f"Bearer {token}"}


def _wait_for(check: Callable[[], T], seconds: float, what: str) -> T:
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:g} s")
        time.sleep(0.5)


@dataclass
class Stack:
    """The compose stack's containers, found by compose's labels and driven with the engine's
    own commands (the same for docker and podman)."""

    engine: str
    project: str
    urls: dict[str, str]

    def _run(self, *args: str) -> str:
        done = subprocess.run(
            [self.engine, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise AssertionError(f"{self.engine} {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout.strip()

    def container(self, service: str) -> str:
        ids = self._run(
            "ps",
            "-a",
            "--filter",
            f"label=com.docker.compose.project={self.project}",
            "--filter",
            f"label=com.docker.compose.service={service}",
            "--format",
            "{{.ID}}",
        ).split()
        assert len(ids) == 1, f"one container of {service} in {self.project}, found {ids}"
        return ids[0]

    def inspect(self, service: str, template: str) -> str:
        return self._run("inspect", "--format", template, self.container(service))

    def started(self, service: str) -> tuple[str, str]:
        """When the container last started, and how often its policy restarted it."""
        return (
            self.inspect(service, "{{.State.StartedAt}}"),
            self.inspect(service, "{{.RestartCount}}"),
        )

    def restart(self, service: str) -> None:
        self._run("restart", "-t", str(STOP_GRACE[service]), self.container(service))

    def stop(self, service: str) -> None:
        self._run("stop", "-t", str(STOP_GRACE[service]), self.container(service))

    def start(self, service: str) -> None:
        self._run("start", self.container(service))

    def kill_main_process(self, service: str) -> int:
        """SIGKILL to the container's main process from the host, as the kernel's OOM killer
        would: the engine sees a crash, not a stop it was asked for (`docker kill` is such a
        request, and a restart policy ignores what was stopped on request)."""
        pid = int(self.inspect(service, "{{.State.Pid}}"))
        assert pid > 0, f"{service} is not running"
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError) as exc:
            pytest.fail(
                f"cannot signal {service}'s process {pid} from here ({exc}): the test needs "
                "the engine on this host and the right to signal its processes (root)"
            )
        return pid

    def ready(self, name: str) -> bool:
        try:
            return httpx.get(f"{self.urls[name]}/readyz", timeout=3).status_code == 200
        except httpx.TransportError:
            return False

    def wait_all_ready(self, seconds: float = 90) -> None:
        for name in SERVICES:
            _wait_for(lambda name=name: self.ready(name), seconds, f"{name} ready")


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest) -> Stack:
    unset = [f"{prefix}_URL" for prefix in SERVICES.values() if not os.environ.get(f"{prefix}_URL")]
    if unset:
        pytest.skip(
            f"needs a compose stack whose containers it may restart ({', '.join(unset)} not "
            "set: the suite runs local processes); make compose-test runs these"
        )
    engine = os.environ.get("STACK_CONTAINER_ENGINE")
    if not engine:
        pytest.skip(
            "STACK_CONTAINER_ENGINE is not set, so the suite may not restart, stop or kill "
            "this stack's containers: set it to docker or podman (and STACK_COMPOSE_PROJECT "
            "if the project is not municipal-steering) to run the fault tests"
        )
    if shutil.which(engine) is None:
        pytest.fail(f"STACK_CONTAINER_ENGINE={engine}: no such command")
    urls = request.getfixturevalue("urls")
    stack = Stack(engine, os.environ.get("STACK_COMPOSE_PROJECT", "municipal-steering"), urls)
    stack.wait_all_ready()
    return stack


@pytest.fixture
def report(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[str], None]]:
    """Print past pytest's capture, so the numbers reach the log of a passing run."""

    def say(line: str) -> None:
        with capsys.disabled():
            print(f"\n    [stack] {line}", end="")

    yield say
    with capsys.disabled():
        print()


# --- the database container restarted while outcomes are posted --------------------------------

WRITERS = 4
MAX_WRITES = 4000


@dataclass
class Write:
    writer: int
    value: int
    began: float
    ended: float = 0.0
    status: int | None = None
    retry_after: str | None = None
    content_type: str = ""
    problem_status: int | None = None
    error: str | None = None


@dataclass
class Writes:
    source: str
    done: list[Write] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, write: Write) -> None:
        with self.lock:
            self.done.append(write)

    def snapshot(self) -> list[Write]:
        with self.lock:
            return list(self.done)


def _write_stream(url: str, writes: Writes, writer: int, stop: threading.Event) -> None:
    """One writer: its own key (indicator, period, gender, source), a new value each time, one
    request after another, so the only disturbance is the database's."""
    headers = _headers("indicators:write")
    values = itertools.count(1)
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        while not stop.is_set() and len(writes.done) < MAX_WRITES:
            write = Write(writer, next(values), time.monotonic())
            body = {
                "reason": f"Stack fault test {writes.source}",
                "items": [
                    {
                        "indicator_code": PERSONNEL,
                        "period": "2018",
                        "value": str(Decimal(write.value) / 100),  # a percentage
                        "source": f"{writes.source}-{writer}",
                    }
                ],
            }
            try:
                r = client.put(OUTCOMES, json=body)
                write.status = r.status_code
                write.retry_after = r.headers.get("retry-after")
                write.content_type = r.headers.get("content-type", "")
                if write.content_type.startswith("application/problem+json"):
                    write.problem_status = r.json().get("status")
            except httpx.HTTPError as exc:  # a dropped connection or a timeout
                write.error = f"{type(exc).__name__}: {exc}"
            write.ended = time.monotonic()
            writes.add(write)
            time.sleep(0.01)


def _stored_values(url: str, source: str) -> set[int]:
    """Every value the register keeps for the key, corrections included (the history)."""
    path = f"/v1/registers/0580/KS/indicators/{PERSONNEL}/history"
    values: set[int] = set()
    for page in itertools.count(1):
        r = httpx.get(
            url + path,
            params={"period": "2018", "page": page, "page_size": 500},
            headers=_headers("indicators:read"),
            timeout=30,
        )
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        values |= {int(Decimal(h["value"]) * 100) for h in items if h["source"] == source}
        if len(items) < 500:
            return values
    raise AssertionError("unreachable")


def test_postgres_restarted_while_outcomes_are_posted(
    stack: Stack, report: Callable[[str], None]
) -> None:
    """Every write that got a 2xx is stored; the writes that failed got a 503 problem with
    Retry-After, none a 500 or a dropped connection; the services come back by themselves."""
    url = stack.urls["indicators"]
    services_before = {name: stack.started(name) for name in SERVICES}
    writes = Writes(f"stack-fault-{uuid4().hex[:8]}")
    stop = threading.Event()
    threads = [
        threading.Thread(target=_write_stream, args=(url, writes, n, stop), daemon=True)
        for n in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    try:
        _wait_for(lambda: len(writes.snapshot()) >= 20, 30, "writes before the restart")
        restart_began = time.monotonic()
        stack.restart("postgres")
        restart_ended = time.monotonic()

        def recovered() -> bool:
            # Twenty writes begun after the restart returned have succeeded.
            ok = [w for w in writes.snapshot() if w.began > restart_ended and w.status == 200]
            return len(ok) >= 20

        _wait_for(recovered, 90, "writes succeed again after the database restart")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    done = writes.snapshot()
    acknowledged = [w for w in done if w.status is not None and 200 <= w.status < 300]
    unavailable = [w for w in done if w.status == 503]
    others = [w for w in done if w.error is None and w not in acknowledged + unavailable]
    dropped = [w for w in done if w.error is not None]
    during = [w for w in done if w.ended >= restart_began and w.began <= restart_ended]
    stored: dict[int, set[int]] = {
        n: _stored_values(url, f"{writes.source}-{n}") for n in range(WRITERS)
    }
    missing = [w for w in acknowledged if w.value not in stored[w.writer]]
    applied_503 = [w for w in unavailable if w.value in stored[w.writer]]
    report(
        f"postgres restart took {restart_ended - restart_began:.1f} s; writes attempted "
        f"{len(done)} ({WRITERS} writers), 2xx {len(acknowledged)}, 503 {len(unavailable)}, "
        f"other statuses {len(others)}, dropped or timed out {len(dropped)}; in flight during "
        f"the restart {len(during)}"
    )
    report(
        f"stored: {sum(map(len, stored.values()))} values, {len(acknowledged) - len(missing)} "
        f"of the {len(acknowledged)} acknowledged (missing {len(missing)}); 503s whose write "
        f"was applied all the same: {len(applied_503)}"
    )
    assert not dropped, [w.error for w in dropped[:5]]
    assert not others, [(w.status, w.content_type) for w in others[:5]]
    assert not missing, [w.value for w in missing[:10]]
    assert during, "no write was in flight while the database restarted"
    for w in unavailable:
        assert w.retry_after is not None and w.retry_after.isdigit(), w
        assert w.content_type.startswith("application/problem+json") and w.problem_status == 503
    # Every value stored was written by that writer: nothing invented.
    for n, values in stored.items():
        assert values <= {w.value for w in done if w.writer == n}
    stack.wait_all_ready(30)
    services_after = {name: stack.started(name) for name in SERVICES}
    assert services_after == services_before, "a service was restarted to recover"
    report(f"services not restarted: {', '.join(f'{n} {s[0]}' for n, s in services_after.items())}")


# --- the indicator container stopped while procurement figures wait ---------------------------


def _outbox(stack: Stack) -> dict[str, int]:
    r = httpx.get(
        f"{stack.urls['procurement']}/v1/outbox", headers=_headers("procurement:read"), timeout=10
    )
    assert r.status_code == 200, r.text
    return r.json()


def _history(stack: Stack, indicator: str, period: str) -> list[dict[str, Any]]:
    path = f"/v1/registers/0580/KS/indicators/{indicator}/history"
    r = httpx.get(
        stack.urls["indicators"] + path,
        params={"period": period, "page_size": 500},
        headers=_headers("indicators:read"),
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return [h for h in r.json()["items"] if h["source"] == "procurement-service"]


ORGANISATIONS = {"556036-0793": "Alfa AB", "556677-8899": "Beta AB", "556123-4567": "Gamma AB"}


def _procurement(reference: str, bidders: int, award_date: str) -> dict[str, Any]:
    numbers = list(ORGANISATIONS)[:bidders]
    return {
        "reference": reference,
        "administration": "Kommunledningsförvaltningen",
        "board_code": "KS",
        "title": "Stack fault test",
        "category": "services",
        "procedure": "open",
        "advertised": True,
        "status": "awarded",
        "award_date": award_date,
        "bidders": [
            {"organisation_number": n, "name": ORGANISATIONS[n], "size_class": "small"}
            for n in numbers
        ],
        "winners": numbers[:1],
    }


def _mean(stack: Stack, period: str) -> Decimal | None:
    year, tertial = period.split("-")
    r = httpx.get(f"{stack.urls['procurement']}/v1/measurements/0580/{year}/{tertial}", timeout=30)
    assert r.status_code == 200, r.text
    value = r.json()["competition"]["bidders_per_procurement_mean"]["value"]
    return None if value is None else Decimal(str(value))


def _a_change(stack: Stack) -> tuple[int, int]:
    """A year of the register (2015-2018: the suite's other tests use 2019-2021) and a bidder
    count whose procurement changes the mean of each of its tertials, so each is published."""
    for year in random.sample(range(2015, 2019), 4):
        means = {_mean(stack, f"{year}-T{n}") for n in (1, 2, 3)}
        for bidders in random.sample(range(1, 4), 3):
            if Decimal(bidders) not in means:
                return year, bidders
    raise AssertionError("every year's means are 1, 2 and 3 bidders: no change to make")


def test_indicators_stopped_while_procurement_outcomes_are_posted(
    stack: Stack, report: Callable[[str], None]
) -> None:
    """The figures wait in procurement's outbox while the register's container is stopped and
    arrive once it is started again: every message delivered once, each value recorded once."""
    _wait_for(lambda: _outbox(stack)["pending"] == 0, 120, "the outbox empty before the test")
    year, bidders = _a_change(stack)
    periods = [f"{year}-T{n}" for n in (1, 2, 3)]  # a date in T1 changes T1, T2 and T3
    recorded_before = {p: _history(stack, MEAN, p) for p in periods}
    before = _outbox(stack)
    stack.stop("indicators")
    stopped = time.monotonic()
    try:
        reference = f"FAULT-{uuid4().hex[:8]}"
        r = httpx.put(
            f"{stack.urls['procurement']}/v1/procurements/0580",
            json={"items": [_procurement(reference, bidders, f"{year}-02-01")]},
            headers=_headers("procurement:write"),
            timeout=30,
        )
        assert r.status_code == 200, r.text
        # Published asynchronously: one message per changed tertial, at most one pending each.
        _wait_for(lambda: _outbox(stack)["pending"] >= 3, 30, "three messages in the outbox")
        time.sleep(5)  # the relay (every second) tries and fails while the register is down
        waiting = _outbox(stack)
        queued = waiting["pending"] - before["pending"]
        assert waiting["delivered"] == before["delivered"], "delivered while the register was down"
    finally:
        stack.start("indicators")
    down_for = time.monotonic() - stopped
    _wait_for(lambda: stack.ready("indicators"), 90, "indicators ready after its start")
    started = time.monotonic()
    _wait_for(lambda: _outbox(stack)["pending"] == 0, 180, "the outbox delivered")
    delivered_after = time.monotonic() - started
    after = _outbox(stack)
    delivered = after["delivered"] - before["delivered"]
    new = {p: _history(stack, MEAN, p)[len(recorded_before[p]) :] for p in periods}
    means = {p: _mean(stack, p) for p in periods}
    report(
        f"indicators stopped for {down_for:.1f} s; messages queued {queued}, delivered "
        f"{delivered} (all within {delivered_after:.1f} s of its start), dead "
        f"{after['dead'] - before['dead']}; values recorded: "
        + ", ".join(f"{p} {[h['value'] for h in new[p]]} (measured {means[p]})" for p in periods)
    )
    assert after["dead"] == before["dead"]
    assert queued == 3 and delivered == queued, (queued, delivered)
    for period in periods:  # the procurement service's figure, recorded exactly once
        assert [Decimal(h["value"]) for h in new[period]] == [means[period]], period


# --- a service's process killed, restarted by the restart policy -------------------------------


def test_a_killed_service_is_restarted_by_its_restart_policy(
    stack: Stack, report: Callable[[str], None]
) -> None:
    service = "budget"
    policy = stack.inspect(service, "{{.HostConfig.RestartPolicy.Name}}")
    assert policy in ("always", "unless-stopped", "on-failure"), policy
    before = httpx.get(stack.urls[service] + KS_BUDGET, timeout=10)
    assert before.status_code == 200
    restarts = int(stack.inspect(service, "{{.RestartCount}}"))
    killed_at = time.monotonic()
    pid = stack.kill_main_process(service)

    def restarted() -> bool:
        state = stack.inspect(service, "{{.State.Status}} {{.RestartCount}} {{.State.Pid}}")
        status, count, new_pid = state.split()
        return status == "running" and int(count) > restarts and int(new_pid) not in (0, pid)

    _wait_for(restarted, 60, f"{service} restarted by its policy ({policy})")
    running_after = time.monotonic() - killed_at
    _wait_for(lambda: stack.ready(service), 90, f"{service} ready after the restart")
    ready_after = time.monotonic() - killed_at
    after = httpx.get(stack.urls[service] + KS_BUDGET, timeout=10)
    count = int(stack.inspect(service, "{{.RestartCount}}"))
    report(
        f"{service}: SIGKILL to pid {pid}; restart policy {policy}; restart count "
        f"{restarts} -> {count}; running again after {running_after:.1f} s, ready after "
        f"{ready_after:.1f} s; the seeded budget served again: {after.status_code}"
    )
    assert after.status_code == 200
    assert after.headers["etag"] == before.headers["etag"]
    assert after.json() == before.json()
    stack.wait_all_ready(60)
