"""Random bytes and random YAML through every input path of the CLI: never a traceback.

Each path gets a bounded number of examples (the whole module runs in well under a minute on
a loaded machine); every run must exit 0, 1 or 2, and an error must be short `error:` lines
(or the command-line parser's usage message), never a traceback.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualify.cli.main import main
from tests.conftest import PROJECT

pytestmark = pytest.mark.slow

ROSTER = PROJECT / "docs" / "examples" / "roster.csv"
SRO = (PROJECT / "workflows" / "sro-selection.yaml").read_text(encoding="utf-8")
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@dataclass
class Ran:
    code: int
    out: str
    err: str


@dataclass
class World:
    folder: Path
    url: str

    def run(self, *args: str, user: str = "hr1") -> Ran:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--db", self.url, "--as", user, *args])
        return Ran(code, out.getvalue(), err.getvalue())

    def file(self, name: str, data: bytes) -> str:
        path = self.folder / name
        path.write_bytes(data)
        return str(path)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One SQLite database with users, an SRO selection and its roster, for the whole module."""
    folder = tmp_path_factory.mktemp("fuzz")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        mp.setenv("QUALIFY_FILES", str(folder / "files"))
        mp.setenv("QUALIFY_RECORDS", str(folder / "records"))
        mp.setenv("QUALIFY_OUTPUT", str(folder / "out"))
        mp.setenv("COLUMNS", "200")
        w = World(folder, f"sqlite:///{folder / 'fuzz.db'}")
        assert w.run("init", "--admin", "hr1", "--role", "hr").code == 0
        supervisors = [("sgt.moreau", "supervisor"), ("sgt.okafor", "supervisor")]
        for name, role in [("cmdr1", "commander"), *supervisors]:
            assert (
                w.run(
                    "user", "add", name, "--role", role, "--full-name", name, "--title", role
                ).code
                == 0
            )
        opened = w.run(
            "selection", "open", "SRO", "--workflow", "sro-selection", "--as-of", "2027-01-15"
        )
        assert opened.code == 0, opened.err
        assert w.run("candidate", "import", str(ROSTER), "--selection", "1").code == 0
        yield w


def sane(ran: Ran, codes: tuple[int, ...] = (0, 1, 2)) -> None:
    """Exit 0, 1 or 2 (or the `codes` given); on an error, short `error:` lines or a usage
    message, no traceback."""
    assert ran.code in codes, ran
    assert "Traceback" not in ran.err, ran.err
    if ran.code == 0:
        return
    lines = ran.err.strip().splitlines()
    assert lines, "an error must say what is wrong"
    if "Usage:" in ran.err:  # the parser's own message (a bad option value)
        return
    assert all(line.startswith("error: ") for line in lines), ran.err
    assert len(lines) <= 25, ran.err  # at most 20 problems and a count, or every workflow problem
    assert all(len(line) < 1000 for line in lines), ran.err


# YAML documents: nested mappings, lists and scalars, including the awkward ones.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
yaml_texts = st.one_of(
    documents.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    st.binary(max_size=300).map(lambda b: b.decode("utf-8", "replace")),
)
NUMBERS = list(re.finditer(r"(?<=: )-?[0-9]+(\.[0-9]+)?(?=\s)", SRO))
odd_numbers = st.one_of(
    st.sampled_from(
        [".inf", "-.inf", ".nan", "1e400", "-1", "0", "1000000", "2147483648", "0x7fffffff"]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats().map(repr),
)
text_values = st.text(max_size=60) | st.sampled_from(
    ["", " ", "\x00", "=1+1", "0001-01-01", "9999-12-31", "2027-02-30", "9" * 40, "-1", "ÿ" * 500]
)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_as_a_roster(world: World, data: bytes) -> None:
    sane(world.run("candidate", "import", world.file("r.csv", data), "--selection", "1"))


@FUZZ
@given(
    rows=st.lists(st.lists(text_values, min_size=6, max_size=6), min_size=1, max_size=5),
)
def test_random_values_in_a_well_formed_roster(world: World, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["employee_id", "name", "rank", "unit", "supervisor", "email"])
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8", "surrogatepass")
    sane(world.run("candidate", "import", world.file("w.csv", data), "--selection", "1"))


@FUZZ
@given(text=yaml_texts)
def test_random_yaml_as_a_workflow(world: World, text: str) -> None:
    path = world.file("wf.yaml", text.encode("utf-8", "surrogatepass"))
    sane(world.run("workflow", "validate", path))


@FUZZ
@given(index=st.integers(min_value=0, max_value=len(NUMBERS) - 1), value=odd_numbers)
def test_the_sro_workflow_with_one_number_changed(world: World, index: int, value: str) -> None:
    found = NUMBERS[index]
    text = SRO[: found.start()] + value + SRO[found.end() :]
    sane(world.run("workflow", "validate", world.file("sro-changed.yaml", text.encode())))


@FUZZ
@given(data=st.binary(max_size=2000) | st.sampled_from([b"%PDF-", b"\x89PNG\r\n\x1a\n", b""]))
def test_random_bytes_as_an_evidence_file(world: World, data: bytes) -> None:
    path = world.file("letter.pdf", data)
    args = ["--field", "author=sgt.moreau", "--field", "written_on=2026-11-02"]
    sane(world.run("evidence", "add", "1", "recommendation", "--file", path, *args))


EVIDENCE_FIELDS = [
    (kind, name)
    for kind, spec in yaml.safe_load(SRO)["evidence"].items()
    for name in spec["fields"]
]


@FUZZ
@given(
    target=st.sampled_from(EVIDENCE_FIELDS),
    name=st.one_of(st.just(""), st.text(max_size=10)),
    value=text_values,
)
def test_random_field_values(world: World, target: tuple[str, str], name: str, value: str) -> None:
    kind, field = target
    sane(world.run("evidence", "add", "1", kind, "--field", f"{name or field}={value}"))


ID_COMMANDS = [
    ("candidate", "show", "{}"),
    ("selection", "show", "{}"),
    ("check", "{}"),
    ("check", "--selection", "{}"),
    ("results", "{}"),
    ("panel", "show", "{}"),
    ("audit", "log", "--candidate", "{}"),
    ("candidate", "list", "--selection", "{}"),
    ("advance", "{}", "begin_screening"),
    ("declare", "{}"),
    ("evidence", "add", "{}", "service", "--date", "2020-01-01"),
    ("evidence", "add", "1", "service", "--date", "{}"),
    ("evidence", "add", "1", "fitness", "--result", "{}", "--field", "tested_on=2026-11-02"),
    ("selection", "open", "T", "--workflow", "sro-selection", "--as-of", "{}"),
    ("selection", "open", "{}", "--workflow", "sro-selection", "--as-of", "2027-01-15"),
    ("selection", "open", "T", "--workflow", "{}", "--as-of", "2027-01-15"),
    ("candidate", "add", "--selection", "1", "--employee-id", "{}", "--name", "N"),
    ("candidate", "add", "--selection", "1", "--employee-id", "E-1", "--name", "{}"),
    ("user", "add", "{}", "--role", "hr"),
    ("score", "{}", "--set", "x=1"),
    ("score", "1", "--set", "{}"),
    ("packet", "1", "--stage", "{}"),
    ("packet", "--selection", "1", "--jobs", "{}"),
    ("workflow", "show", "{}"),
    ("workflow", "diagram", "sro-selection", "--format", "{}"),
]
option_values = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=40),
    st.sampled_from(["2147483648", "18446744073709551616", "0", "-1", "1e3", "0001-01-01", ""]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(command=st.sampled_from(ID_COMMANDS), value=option_values)
def test_random_ids_dates_numbers_and_names_in_options(
    world: World, command: tuple[str, ...], value: str
) -> None:
    if value.startswith("-") and value != "-1":
        value = " " + value  # an option-like value is the parser's business, not ours
    sane(world.run(*(value if a == "{}" else a for a in command)))


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(text=yaml_texts)
def test_random_yaml_as_the_demo_scenario(world: World, text: str) -> None:
    path = world.file("scenario.yaml", text.encode("utf-8", "surrogatepass"))
    sane(world.run("demo", "-o", str(world.folder / "demo"), "--scenario", path))


db_urls = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda scheme, rest: f"{scheme}{rest}",
        st.sampled_from(["sqlite://", "sqlite:///", "sqlite:////", "mysql://", "://", "x+y://"]),
        st.text(max_size=30),
    ),
).filter(lambda u: "postgres" not in u.lower())  # no network connections from a fuzz test


@FUZZ
@given(url=db_urls)
def test_random_database_urls(world: World, url: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", url, "--as", "hr1", "candidate", "list"])
    # 3: a database that cannot be opened or used (docs/operations.md)
    sane(Ran(code, out.getvalue(), err.getvalue()), codes=(0, 1, 2, 3))
