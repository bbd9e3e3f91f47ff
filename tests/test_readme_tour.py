"""The README's "A short API tour" works as written, from a fresh start.

The tour's shell block is read from README.md and run with bash, command by command in one
shell (its variables carry over), against the three services started as `make run` starts
them: migrated and seeded on new SQLite files, each service wired to its peers. Only two
things differ from a reader's terminal: `make run &` is left out (the services run already),
and the lines that name the base URLs (`B=`, `I=`) name this test's services instead of the
default ports. Each command must exit 0, no answer may be a problem, and the key answers must
say what the tour says they do."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from system_kit import SERVICES, TEST_SETTINGS, LocalService

ROOT = Path(__file__).resolve().parents[1]
PROBLEM = '"type":"https://municipal-steering.example/problems/'
BASE_URL_LINE = re.compile(r"^([A-Z])=http://127\.0\.0\.1:(\d+)$")


def tour_block(readme: str) -> str:
    """The first ```sh block under the heading "## A short API tour"."""
    section = readme.split("## A short API tour", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, "the tour has no ```sh block"
    return match.group(1)


def commands(block: str) -> list[str]:
    """The block split into commands: a line continued by a backslash, or inside a quoted
    string, belongs to the command it continues; comments and blank lines separate."""
    found: list[str] = []
    pending = ""
    for line in block.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line + "\n"
        try:
            shlex.split(pending, comments=True)  # raises while a quote is open
        except ValueError:
            continue
        if pending.rstrip("\n").endswith("\\"):
            continue
        found.append(pending.rstrip("\n"))
        pending = ""
    assert not pending, f"unterminated command: {pending}"
    return found


@pytest.fixture(scope="module")
def fresh_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The services as `make run` leaves them: migrated, seeded, serving; on SQLite files of
    their own (the suite's shared services have been written to by other tests)."""
    folder = tmp_path_factory.mktemp("tour")
    services = {
        spec.name: LocalService(spec, folder, f"sqlite+aiosqlite:///{folder / spec.name}.db")
        for spec in SERVICES
    }
    for service in services.values():
        for peer in service.spec.peers:
            service.env[service.spec.peer_variable(peer)] = services[peer].url
        service.env.update(TEST_SETTINGS.get(service.spec.name, {}))
    try:
        for service in services.values():
            service.cli("migrate")
            if service.spec.seed:
                service.cli("seed")
            service.start()
        for service in services.values():
            service.wait_ready()
        yield {str(service.spec.port): service.url for service in services.values()}
    finally:
        for service in services.values():
            service.stop()


def _script(tour: list[str], url_of_port: dict[str, str]) -> str:
    """One bash script running each command and marking its output and exit status."""
    lines = ["set -o pipefail", f"cd {shlex.quote(str(ROOT))}"]
    for number, command in enumerate(tour):
        if command.startswith("make run"):
            continue  # the services are running already
        if match := BASE_URL_LINE.match(command):
            command = f"{match[1]}={url_of_port[match[2]]}"
        lines += [f"echo '@@ {number}'", command, f'echo; echo "@@ {number} exit $?"']
    return "\n".join(lines) + "\n"


def test_the_readme_tour_runs_as_written(fresh_services: dict[str, str]) -> None:
    tour = commands(tour_block((ROOT / "README.md").read_text(encoding="utf-8")))
    assert tour[0].startswith("make run"), tour[0]
    bash = shutil.which("bash")
    assert bash is not None
    run = subprocess.run(
        [bash],
        input=_script(tour, fresh_services),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    outputs: dict[int, str] = {}
    for chunk in re.split(r"^@@ (?=\d+$)", run.stdout, flags=re.M)[1:]:
        head, _, rest = chunk.partition("\n")
        body, _, status = rest.rpartition(f"@@ {head} exit ")
        outputs[int(head)] = body
        assert status.strip() == "0", (tour[int(head)], body, run.stderr)
    ran = [n for n, c in enumerate(tour) if not c.startswith("make run")]
    assert sorted(outputs) == ran, run.stderr
    for number, output in outputs.items():
        assert PROBLEM not in output.replace(" ", ""), (tour[number], output)

    def answer(fragment: str) -> str:
        """The output of the one command containing `fragment`."""
        (number,) = [n for n, c in enumerate(tour) if fragment in c]
        return outputs[number]

    assert '"status":"ready"' in answer("$B/readyz").replace(" ", "")
    assert answer("versions/1/change-lines").count("Friskvård") == 1
    assert '"outcome_to_date":"11200.5' in answer("follow-up/T1 \\")
    assert '"status":"decided"' in answer("versions/1/decision")
    assert '"phase":"budget_preparation_proposal"' in answer("versions \\")
    assert '"created":2' in answer("$I/v1/registers/0580/KS/outcomes")
    assert "personalomsattning" in answer("reports/2018/T2 | python3")
