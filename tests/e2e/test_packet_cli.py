"""`qualify packet` for one candidate and for a whole selection in parallel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session

from qualify.config import Settings
from tests.conftest import Result
from tests.helpers.builders import Sample, screened


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_packets_from_the_command_line(
    cli: Callable[..., Result],
    session: Session,
    settings: Settings,
    sample: Sample,
    tmp_path: Path,
) -> None:
    screened(sample)  # 4 eligible, 4 ineligible
    session.close()

    def q(*args: str, user: str = "hr.alvarez") -> Result:
        return cli("--db", settings.database_url, "--as", user, *args)

    one = q("packet", "1", "-o", str(tmp_path / "one"))
    assert one.exit_code == 0, one.stderr
    (written,) = (tmp_path / "one").iterdir()
    assert one.stdout.splitlines()[0] == f"wrote {written}"
    assert written.name.startswith("selection-1_candidate-0001_eligible_eligibility_review_event-")
    printed = written.read_bytes()
    # The same packet again is the same file; another file of its name is refused, unless
    # --force, and nothing of it is written or recorded.
    assert q("packet", "1", "-o", str(tmp_path / "one")).exit_code == 0
    assert written.read_bytes() == printed
    written.write_bytes(b"my notes")
    events = len(q("audit", "log", "--json").stdout)
    mine = q("packet", "1", "-o", str(tmp_path / "one"))
    assert (mine.exit_code, mine.stdout, mine.stderr) == (
        2,
        "",
        f"error: -o: {written} exists and is not this packet; name another folder, or give "
        "--force to replace it\n",
    )
    assert written.read_bytes() == b"my notes"
    assert len(q("audit", "log", "--json").stdout) == events
    forced = q("packet", "1", "-o", str(tmp_path / "one"), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert written.read_bytes() == printed
    # A refused run leaves no folder behind (nor the parents it made).
    never = q("packet", "1", "--stage", "selected", "-o", str(tmp_path / "x"))
    assert (never.exit_code, never.stderr.strip()) == (
        1,
        "error: candidate 1 never entered the stage selected",
    )
    assert not (tmp_path / "x").exists()
    denied = q("packet", "1", "-o", str(tmp_path / "reprints" / "rep"), user="rep.chen")
    assert denied.exit_code == 1
    assert (
        "Dr. Helen Chen (Milford School System representative) may not print packets"
        in denied.stderr
    )
    assert not (tmp_path / "reprints").exists()
    serial = q("packet", "--selection", "1", "-o", str(tmp_path / "serial"))
    parallel = q("packet", "--selection", "1", "-o", str(tmp_path / "parallel"), "--jobs", "2")
    assert serial.exit_code == parallel.exit_code == 0, parallel.stderr
    names = sorted(p.name for p in (tmp_path / "serial").iterdir())
    assert len(names) == 12  # 4 eligibility reviews, 4 more reviews and 4 notices
    assert names == sorted(p.name for p in (tmp_path / "parallel").iterdir())
    for name in names:
        assert (tmp_path / "serial" / name).read_bytes() == (
            tmp_path / "parallel" / name
        ).read_bytes()
    (tmp_path / "parallel" / names[-1]).write_bytes(b"my notes")
    again = q("packet", "--selection", "1", "-o", str(tmp_path / "parallel"))
    assert again.exit_code == 2
    assert "is not this packet; name another folder, or give --force" in again.stderr
    assert (tmp_path / "parallel" / names[-1]).read_bytes() == b"my notes"
