"""The adverse-impact report leaves out of a stage's rates the candidates with no decision at it
yet (still in screening, waiting for the Chief), and says how many there are."""

from __future__ import annotations

from sqlmodel import Session

from qualify.cli.fairness import report_lines
from qualify.config import Settings
from qualify.services.fairness import FairnessReport, StageReport, fairness_report
from tests.helpers.actors import as_user
from tests.helpers.builders import (
    COMMANDER,
    HR,
    Sample,
    a_selection,
    advanced,
    in_screening,
    interviewed,
    selected,
)


def _report(sample: Sample) -> FairnessReport:
    return fairness_report(
        session=sample.session, selection_id=sample.selection_id, actor=as_user(HR)
    )


def _stage(report: FairnessReport, stage_id: str) -> StageReport:
    return next(s for s in report.stages if s.id == stage_id)


def _by_sex(stage: StageReport) -> list[tuple[str, int, int]]:
    return [(c.group, c.entered, c.passed) for c in stage.analyses["sex"].counts]


def test_officers_still_in_screening_are_left_out_of_its_rates_not_failed(
    session: Session, settings: Settings
) -> None:
    sample = a_selection(session, settings, self_identified=True)
    in_screening(sample)
    # One woman and two men found eligible; three women and two men not yet decided.
    advanced(sample, "confirm_eligible", COMMANDER, ["MPD-1042", "MPD-1077", "MPD-1199"])
    report = _report(sample)
    eligibility = _stage(report, "eligibility")
    assert (eligibility.entered, eligibility.passed, eligibility.undecided) == (3, 3, 5)
    assert eligibility.excluded == 0
    assert _by_sex(eligibility) == [("female", 1, 1), ("male", 2, 2)]
    (comparison,) = eligibility.analyses["sex"].comparisons
    assert comparison.impact_ratio == 1.0
    assert comparison.below_four_fifths is False
    overall = _stage(report, "overall")
    assert (overall.entered, overall.passed, overall.undecided) == (0, 0, 8)
    lines = report_lines(report)
    assert (
        "Eligibility screening: 3 of 3 passed (5 still undecided at this stage, left out "
        "until decided)" in lines
    )
    assert (
        "The process as a whole: 0 of 0 passed (8 still undecided at this stage, left out "
        "until decided)" in lines
    )
    assert not any("BELOW" in line for line in lines)
    assert "    no comparison: no one has a decision at this stage yet" in lines

    # A decision against a candidate still counts: Officer Hale (a man) is found ineligible.
    advanced(
        sample,
        "declare_ineligible",
        COMMANDER,
        ["MPD-1166"],
        reason_code="qualifications_not_met",
        reason="Sustained finding within 5 years.",
    )
    report = _report(sample)
    eligibility = _stage(report, "eligibility")
    assert (eligibility.entered, eligibility.passed, eligibility.undecided) == (4, 3, 4)
    assert _by_sex(eligibility) == [("female", 1, 1), ("male", 3, 2)]
    (comparison,) = eligibility.analyses["sex"].comparisons
    assert (comparison.group, comparison.reference) == ("male", "female")
    assert round(comparison.impact_ratio, 2) == 0.67
    overall = _stage(report, "overall")
    assert (overall.entered, overall.passed, overall.undecided) == (1, 0, 7)
    assert _by_sex(overall) == [("male", 1, 0)]


def test_officers_waiting_for_the_chief_are_undecided_at_selection_and_overall(
    session: Session, settings: Settings
) -> None:
    sample = interviewed(a_selection(session, settings, self_identified=True))
    # Whitfield and Reyes passed the interview and wait for the Chief; Natarajan did not pass
    # (the panel's result is her outcome there); Fitzgerald withdrew; four were ineligible.
    report = _report(sample)
    interview = _stage(report, "interview")
    assert (interview.entered, interview.passed, interview.undecided) == (3, 2, 0)
    selection = _stage(report, "selection")
    assert (selection.entered, selection.passed, selection.undecided) == (0, 0, 2)
    overall = _stage(report, "overall")
    assert (overall.entered, overall.passed, overall.undecided, overall.excluded) == (5, 0, 2, 1)
    assert (
        "The process as a whole: 0 of 5 passed (2 still undecided at this stage, left out "
        "until decided; 1 withdrew and is left out)" in report_lines(report)
    )

    selected(sample, not_selected=None)  # the Chief selects Whitfield; Reyes still waits
    report = _report(sample)
    selection = _stage(report, "selection")
    assert (selection.entered, selection.passed, selection.undecided) == (1, 1, 1)
    overall = _stage(report, "overall")
    assert (overall.entered, overall.passed, overall.undecided) == (6, 1, 1)
    # Reyes (waiting) and Fitzgerald (withdrew) are the two men left out.
    assert _by_sex(overall) == [("female", 4, 1), ("male", 2, 0)]
