"""A reason code's words are stated to the officer as fact, so a code the records contradict is
refused (exit 1), saying why and which of the trigger's codes fit."""

from __future__ import annotations

import pytest
from sqlmodel import select

from qualify.cli.errors import render
from qualify.errors import RuleViolation
from qualify.services.advance import advance
from qualify.store.tables import AuditEvent, Candidate
from tests.helpers.actors import as_user
from tests.helpers.builders import CHIEF, COMMANDER, Sample, advanced, in_screening, interviewed


def _refusal(sample: Sample, employee: str, trigger: str, by: str, code: str) -> RuleViolation:
    with pytest.raises(RuleViolation) as refused:
        advance(
            session=sample.session,
            candidate_id=sample.ids[employee],
            trigger=trigger,
            actor=as_user(by),
            reason="The Chief's reason.",
            reason_code=code,
            now=sample.clock.tick(),
        )
    return refused.value


def _state(sample: Sample, employee: str) -> str:
    sample.session.expire_all()
    found = sample.session.get(Candidate, sample.ids[employee])
    assert found is not None
    return found.state


def test_higher_ranked_selected_is_refused_for_the_top_officer_when_a_lower_one_was_selected(
    sample: Sample,
) -> None:
    interviewed(sample)  # Whitfield ranks 1st, Reyes 2nd, Natarajan fails
    advanced(sample, "select", CHIEF, ["MPD-1077"], reason="Officer Reyes knows the schools.")
    refusal = _refusal(sample, "MPD-1042", "not_select", CHIEF, "higher_ranked_selected")
    assert refusal.exit_code == 1
    assert refusal.field == "reason_code"
    assert (
        'cannot "Do not select the officer" for Dana Whitfield with reason code '
        "'higher_ranked_selected': its letter would say \"Another officer, ranked higher after the "
        'structured interview, was selected for the position.", but no officer ranked above Dana '
        "Whitfield (rank 1) has been selected; no reason code fits" in refusal.message
    )
    line = render(refusal)
    assert line.endswith(
        "; give --notice TEXT, the words the letter states (--reason stays internal)"
    )
    assert _state(sample, "MPD-1042") == "scored"
    refused = sample.session.exec(
        select(AuditEvent).where(AuditEvent.action == "advance_refused")
    ).all()
    assert refused
    assert "not_select" in refused[-1].details


def test_higher_ranked_selected_is_refused_before_anyone_is_selected(sample: Sample) -> None:
    interviewed(sample)
    refusal = _refusal(sample, "MPD-1077", "not_select", CHIEF, "higher_ranked_selected")
    assert "no officer ranked above Luis Reyes (rank 2)" in str(refusal)


def test_a_failed_interview_is_not_told_it_was_outranked_only_it_fits_the_standard_code(
    sample: Sample,
) -> None:
    interviewed(sample)
    refusal = _refusal(sample, "MPD-1042", "not_select", CHIEF, "interview_standard_not_met")
    assert "but Dana Whitfield passed the interview (rank 1)" in str(refusal)
    # Natarajan failed: the standard code fits, and once Whitfield is selected, both do.
    advanced(sample, "select", CHIEF, ["MPD-1042"])
    advanced(
        sample,
        "not_select",
        CHIEF,
        ["MPD-1103", "MPD-1077"],
        reason="As the results show.",
        reason_code="higher_ranked_selected",
    )
    assert (_state(sample, "MPD-1103"), _state(sample, "MPD-1077")) == (
        "not_selected",
        "not_selected",
    )


def test_the_standard_code_refused_to_a_passing_officer_names_the_code_that_fits(
    sample: Sample,
) -> None:
    interviewed(sample)
    advanced(sample, "select", CHIEF, ["MPD-1042"])
    refusal = _refusal(sample, "MPD-1077", "not_select", CHIEF, "interview_standard_not_met")
    assert "; the codes that fit: higher_ranked_selected" in refusal.message
    assert render(refusal).endswith(
        "; give --reason-code CODE (higher_ranked_selected) or --notice TEXT, the words the "
        "letter states (--reason stays internal)"
    )


def test_an_officer_meeting_every_qualification_is_not_told_they_do_not(sample: Sample) -> None:
    in_screening(sample)  # Whitfield meets every qualification
    refusal = _refusal(
        sample, "MPD-1042", "declare_ineligible", COMMANDER, "qualifications_not_met"
    )
    assert "but no qualification of Dana Whitfield is failed" in refusal.message
    assert "no reason code fits; write what the letter tells the officer" in refusal.message
    refusal = _refusal(sample, "MPD-1042", "declare_ineligible", COMMANDER, "records_incomplete")
    assert "every qualification of Dana Whitfield is decided" in refusal.message
    assert _state(sample, "MPD-1042") == "screening"
