"""An interview needs a panel: scheduling one before HR assigns the panel is refused, and the
interview packet of an eligible officer never reads as if a check had failed."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, select

from qualify.config import Settings
from qualify.errors import RuleViolation
from qualify.packets.context import build_context
from qualify.services.advance import advance
from qualify.store.tables import AuditEvent, Candidate
from tests.conftest import Result
from tests.helpers.actors import as_user
from tests.helpers.builders import Sample, a_panel, screened

NO_PANEL = (
    'cannot "Schedule the panel interview" for Dana Whitfield: no interview panel is assigned; '
    "Human Resources or Chief of Police must assign the panel first"
)


def test_scheduling_an_interview_with_no_panel_is_refused_and_changes_nothing(
    session: Session, sample: Sample
) -> None:
    screened(sample)
    dana = sample.ids["MPD-1042"]
    with pytest.raises(RuleViolation) as refused:
        advance(
            session=session,
            candidate_id=dana,
            trigger="schedule_interview",
            actor=as_user("cmdr.obrien"),
        )
    assert str(refused.value) == NO_PANEL
    session.expire_all()
    assert session.get(Candidate, dana).state == "eligible"  # type: ignore[union-attr]
    a_panel(sample)
    done = advance(
        session=session,
        candidate_id=dana,
        trigger="schedule_interview",
        actor=as_user("cmdr.obrien"),
    )
    assert done.to_state == "interview"


def test_the_commanders_interview_packet_says_the_shown_checks_passed(
    session: Session, sample: Sample
) -> None:
    screened(sample)
    a_panel(sample)
    dana = sample.ids["MPD-1042"]
    done = advance(
        session=session,
        candidate_id=dana,
        trigger="schedule_interview",
        actor=as_user("cmdr.obrien"),
    )
    event = session.get(AuditEvent, done.event_id)
    candidate = session.get(Candidate, dana)
    assert event is not None
    assert candidate is not None
    # The commander does not see the three sensitive checks: they are neither passed nor failed.
    commanders = build_context(
        session, candidate, "interview", "interview_packet", event, viewer_sensitive=False
    )
    assert commanders["eligibility_summary"] == (
        "all 5 checks shown passed; 3 sensitive checks are withheld from this copy"
    )
    hrs = build_context(
        session, candidate, "interview", "interview_packet", event, viewer_sensitive=True
    )
    assert hrs["eligibility_summary"] == "all checks passed"


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


def test_the_cli_refuses_with_exit_1_then_prints_a_packet_with_the_panel(
    cli: Callable[..., Result], session: Session, settings: Settings, sample: Sample
) -> None:
    screened(sample)
    dana = sample.ids["MPD-1042"]
    session.close()

    def q(*args: str, user: str) -> Result:
        return cli("--db", settings.database_url, "--as", user, *args)

    refused = q("advance", str(dana), "schedule_interview", user="cmdr.obrien")
    assert refused.exit_code == 1
    assert NO_PANEL in refused.stderr
    assert refused.stdout == ""
    seats = ["commander=cmdr.obrien", "school_rep=rep.chen", "school_rep=rep.douglas"]
    assigned = q(
        "panel", "assign", "1", *[a for s in seats for a in ("--seat", s)], user="hr.alvarez"
    )
    assert assigned.exit_code == 0, assigned.stderr
    done = q("advance", str(dana), "schedule_interview", user="cmdr.obrien")
    assert done.exit_code == 0, done.stderr
    (written,) = re.findall(r"wrote (\S+interview_packet\S+\.pdf)", done.stdout)
    text = pdf_text(Path(written))
    assert "not all checks pass" not in text
    assert "Confirmed: all 5 checks shown passed; 3 sensitive checks are withheld" in text
    assert "Department Commander Ann O'Brien" in text


def test_only_an_eligible_officer_or_one_in_interview_has_an_interview_to_schedule(
    session: Session, sample: Sample, cli: Callable[..., Result]
) -> None:
    """The tryout scheduled candidate 4, found ineligible: refused (exit 1) saying in which
    states an interview is scheduled, and nothing is recorded; so is a withdrawn officer."""
    screened(sample)
    a_panel(sample)
    brennan, fitzgerald = sample.ids["MPD-1118"], sample.ids["MPD-1199"]
    advance(
        session=session,
        candidate_id=fitzgerald,
        trigger="withdraw",
        actor=as_user("hr.alvarez"),
        reason="Accepted a detective position.",
        reason_code="accepted_other_assignment",
    )

    def schedule(candidate: int) -> Result:
        return cli(
            "--db", sample.settings.database_url, "--as", "hr.alvarez", "panel", "schedule",
            str(candidate), "--at", "2027-01-22 09:00", "--place", "Conference Room B",
        )  # fmt: skip

    states = "Eligible, Interview or Interview scored"
    ineligible = schedule(brennan)
    assert (ineligible.exit_code, ineligible.stderr) == (
        1,
        f"error: Tom Brennan is at Ineligible; an interview is scheduled only for a candidate "
        f"at {states}\n",
    )
    withdrawn = schedule(fitzgerald)
    assert withdrawn.exit_code == 1
    assert withdrawn.stderr == (
        "error: Owen Fitzgerald is at Withdrawn: the interview is behind them or will not "
        f"happen; an interview is scheduled only for a candidate at {states}\n"
    )
    assert schedule(sample.ids["MPD-1042"]).exit_code == 0
    session.expire_all()
    scheduled = session.exec(
        select(AuditEvent.candidate_id).where(AuditEvent.action == "interview_scheduled")
    ).all()
    assert brennan not in scheduled
    assert fitzgerald in scheduled  # by a_panel, while he was eligible
