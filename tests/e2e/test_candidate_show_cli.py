"""`qualify candidate show` on the sample selection: evidence in words a reader can check."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from qualify.config import Settings
from tests.conftest import Result
from tests.helpers.builders import a_past_selection


def test_a_letter_on_file_is_listed_by_its_file_name_never_its_sha256(
    cli: Callable[..., Result], session: Session, settings: Settings
) -> None:
    sample = a_past_selection(session, settings)
    whitfield = sample.ids["MPD-1042"]
    session.close()
    shown = cli(
        "--db", settings.database_url, "--as", "hr.alvarez", "candidate", "show", str(whitfield)
    )
    assert shown.exit_code == 0, shown.stderr
    (letter,) = (line for line in shown.stdout.splitlines() if " recommendation:" in line)
    assert "letter=MPD-1042-letter.pdf" in letter
    assert "author=sgt.moreau" in letter
    assert len(max(letter.split(), key=len)) < 64  # no sha256 (64 hex digits) in the line
