"""`qualify fairness`: self-identification, the applicant-flow log and the adverse-impact
report, on the demo's selection; and that self-identification reaches no other output."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import Result


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's output folder (database and packets), made once for this module."""
    folder = tmp_path_factory.mktemp("demo")
    done = subprocess.run(
        [sys.executable, "-m", "qualify", "demo", "-o", "out"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Fairness report: out/selection-1_fairness-report.pdf (8 self-identified" in done.stdout
    return folder / "out"


@pytest.fixture
def q(cli: Callable[..., Result], demo: Path, tmp_path: Path) -> Callable[..., Result]:
    """Run qualify on a copy of the demo's database (tests may change it)."""
    shutil.copy(demo / "demo.db", tmp_path / "demo.db")
    url = f"sqlite:///{tmp_path / 'demo.db'}"

    def run(*args: str, user: str = "hr.alvarez") -> Result:
        return cli("--db", url, "--as", user, *args)

    return run


def stage(report: dict, stage_id: str, dimension: str) -> dict:
    found = next(s for s in report["stages"] if s["id"] == stage_id)
    return found["analyses"][dimension]


def test_the_report_counts_each_stage_by_group(q: Callable[..., Result]) -> None:
    result = q("fairness", "report", "1", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [s["id"] for s in report["stages"]] == [
        "eligibility",
        "interview",
        "selection",
        "overall",
    ]
    # Eligibility: 4 women and 4 men screened, 2 of each found eligible.
    sex = stage(report, "eligibility", "sex")
    assert [(c["group"], c["entered"], c["passed"]) for c in sex["counts"]] == [
        ("female", 4, 2),
        ("male", 4, 2),
    ]
    assert sex["comparisons"][0]["impact_ratio"] == 1.0
    # Interview: Whitfield (f) and Reyes (m) pass, Natarajan (f) fails appearance.
    sex = stage(report, "interview", "sex")
    (comp,) = sex["comparisons"]
    assert (comp["group"], comp["reference"], comp["impact_ratio"]) == ("female", "male", 0.5)
    assert comp["below_four_fifths"] is True
    assert "only 3 people are in this comparison" in comp["caution"]
    # Selection: both who passed the interview were selected in the end, Reyes recalled from
    # the eligible list after Whitfield's removal (the report counts stages reached).
    selection = next(s for s in report["stages"] if s["id"] == "selection")
    assert (selection["entered"], selection["passed"]) == (2, 2)
    # Overall: Fitzgerald withdrew and is left out; two of 7 selected.
    overall = next(s for s in report["stages"] if s["id"] == "overall")
    assert (overall["entered"], overall["passed"], overall["excluded"]) == (7, 2, 1)


def test_the_text_report_puts_the_caution_next_to_the_figure(q: Callable[..., Result]) -> None:
    lines = q("fairness", "report", "1").stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "Female vs Male: impact ratio 0.50" in line)
    assert "BELOW four-fifths" in lines[at]
    assert lines[at + 1].strip().startswith("The four-fifths rule is unreliable here")


def test_the_flow_log_has_a_row_per_candidate_with_stages_and_times(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    target = tmp_path / "flow.csv"
    result = q("fairness", "flow", "1", "--csv", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"wrote {target} (8 candidates)"
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 8
    fitzgerald = next(r for r in rows if r["employee_id"] == "MPD-1199")
    assert fitzgerald["disposition"] == "withdrawn"
    assert fitzgerald["withdrawn_at"].startswith("2027-01-15T")
    assert fitzgerald["eligible_at"]
    assert not fitzgerald["scored_at"]
    whitfield = next(r for r in rows if r["employee_id"] == "MPD-1042")
    # The demo removes her in September 2027 and recalls Officer Reyes from the eligible list.
    assert (whitfield["interview_result"], whitfield["disposition"]) == ("pass", "removed")
    assert whitfield["appointed_at"].startswith("2027-03-15T")
    assert whitfield["removed_at"].startswith("2027-09-20T")
    reyes = next(r for r in rows if r["employee_id"] == "MPD-1077")
    assert (reyes["disposition"], reyes["reason_code"]) == ("selected", "")
    assert reyes["not_selected_at"].startswith("2027-01-20T")  # after the interviews that day
    assert reyes["selected_at"].startswith("2027-09-27T")
    assert (whitfield["sex"], whitfield["race_ethnicity"]) == ("female", "white")


def test_a_candidate_with_nothing_recorded_is_not_recorded_not_declined(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    # The demo's selection is decided (no officer joins it now): the officer with nothing
    # recorded applies in a second selection, beside one who declines.
    late = q("candidate", "add", "--selection", "1", "--employee-id", "MPD-2001", "--name", "Ana")
    assert late.exit_code == 1
    assert "it has been decided" in late.stderr
    opened = q("selection", "open", "SRO", "--workflow", "sro-selection", "--as-of", "2027-01-15")
    assert opened.exit_code == 0, opened.stderr
    for employee, name in (("MPD-2001", "Ana Ruiz"), ("MPD-2002", "Ben Ortiz")):
        added = q("candidate", "add", "--selection", "2", "--employee-id", employee, "--name", name)
        assert added.exit_code == 0, added.stderr
    ids = {c["employee_id"]: c["id"] for c in json.loads(q("candidate", "list", "--json").stdout)}
    declined = q(
        "fairness", "identify", str(ids["MPD-2002"]),
        "--sex", "declined", "--race-ethnicity", "declined",
    )  # fmt: skip
    assert declined.exit_code == 0, declined.stderr
    target = tmp_path / "flow.csv"
    assert q("fairness", "flow", "2", "--csv", str(target)).exit_code == 0
    rows = {r["employee_id"]: r for r in csv.DictReader(target.read_text().splitlines())}
    assert (rows["MPD-2001"]["sex"], rows["MPD-2001"]["race_ethnicity"]) == (
        "not_recorded",
        "not_recorded",
    )
    assert (rows["MPD-2002"]["sex"], rows["MPD-2002"]["race_ethnicity"]) == ("declined", "declined")
    text = q("fairness", "report", "2").stdout
    assert "0 self-identified" in text
    assert "declined or not recorded" not in text.lower()
    # Neither has a decision yet: both are left out of the rates, counted apart as undecided.
    assert "0 of 0 passed (2 still undecided at this stage, left out until decided)" in text
    report = json.loads(q("fairness", "report", "2", "--json").stdout)
    overall = next(s for s in report["stages"] if s["id"] == "overall")
    assert (overall["entered"], overall["undecided"]) == (0, 2)


def test_the_flow_log_does_not_overwrite_a_file_unless_forced(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    target = tmp_path / "f2.csv"
    target.write_text("HR's notes\n")
    refused = q("fairness", "flow", "1", "--csv", str(target))
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"error: --csv: {target} exists; name a new file, or give --force to replace it\n"
    )
    assert target.read_text() == "HR's notes\n"
    assert q("fairness", "flow", "1", "--csv", str(target), "--force").exit_code == 0
    assert target.read_text().startswith("candidate_id,")


def test_the_flow_log_refuses_a_missing_folder_and_writes_nothing(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    result = q("fairness", "flow", "1", "--csv", str(tmp_path / "nope" / "flow.csv"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: --csv: folder {tmp_path / 'nope'} does not exist"


@pytest.mark.parametrize("user", ["chief.walsh", "cmdr.obrien", "rep.chen"])
def test_only_view_eeo_reads_the_report_and_the_flow(q: Callable[..., Result], user: str) -> None:
    for args in (("fairness", "report", "1"), ("fairness", "flow", "1", "--csv", "x.csv")):
        result = q(*args, user=user)
        assert result.exit_code == 1
        assert "that needs the role Human Resources" in result.stderr
    assert not Path("x.csv").exists()


def test_only_hr_records_self_identification(q: Callable[..., Result]) -> None:
    result = q(
        "fairness",
        "identify",
        "2",
        "--sex",
        "male",
        "--race-ethnicity",
        "white",
        user="chief.walsh",
    )
    assert result.exit_code == 1
    assert "may not record self-identification" in result.stderr


def test_an_unknown_category_is_bad_input_with_a_suggestion(q: Callable[..., Result]) -> None:
    result = q("fairness", "identify", "2", "--sex", "femal", "--race-ethnicity", "white")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: --sex: unknown category 'femal' (did you mean 'female'?); choose one of"
    )
    # Categories are fixed words: any case will do; the error quotes what was typed.
    result = q("fairness", "identify", "2", "--sex", "Female", "--race-ethnicity", "WHITE")
    assert result.exit_code == 0, result.stderr
    result = q("fairness", "identify", "3", "--sex", "F", "--race-ethnicity", "white")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --sex: unknown category 'F'; choose one of female,")
    flow = json.loads(q("fairness", "report", "1", "--json").stdout)
    assert flow["self_identified"] == 8


def test_a_new_entry_replaces_the_old_and_the_log_keeps_no_values(q: Callable[..., Result]) -> None:
    result = q("fairness", "identify", "2", "--sex", "declined", "--race-ethnicity", "declined")
    assert result.exit_code == 0, result.stderr
    report = json.loads(q("fairness", "report", "1", "--json").stdout)
    assert report["self_identified"] == 7
    events = json.loads(q("audit", "log", "--candidate", "2", "--json").stdout)
    recorded = [e for e in events if e["action"] == "self_identification_recorded"]
    assert len(recorded) == 2
    assert "declined" not in json.dumps(recorded)
    assert "hispanic" not in json.dumps(recorded)


# Every value the demo records, as words in any output: slugs and labels (that an event says
# self-identification was recorded is no value).
EEO_WORDS = re.compile(
    r"\b(female|male|hispanic|latino|asian|black|african american|white|hispanic_latino)\b",
    re.I,
)


def pdf_text(path: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


def test_self_identification_reaches_no_packet(demo: Path) -> None:
    packets = sorted(demo.glob("selection-*_candidate-*.pdf"))
    assert len(packets) >= 20
    for packet in packets:
        found = EEO_WORDS.findall(pdf_text(packet))
        assert not found, (packet.name, found)
    # The search finds them where they belong.
    assert EEO_WORDS.search(pdf_text(demo / "selection-1_fairness-report.pdf"))


def test_self_identification_reaches_no_other_command(q: Callable[..., Result]) -> None:
    outputs = [
        q("candidate", "list", "--json"),
        q("check", "--selection", "1", "--json"),
        q("results", "1", "--json", user="chief.walsh"),
        q("audit", "log", "--json"),
        q("panel", "show", "1", "--json"),
        *(q("candidate", "show", str(c), "--json") for c in range(1, 9)),
    ]
    for result in outputs:
        assert result.exit_code == 0, result.stderr
        # Names of people and units are not values of self-identification.
        found = EEO_WORDS.findall(result.stdout)
        assert not found, found
