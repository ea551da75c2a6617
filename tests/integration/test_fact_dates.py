"""Records the evidence on file cannot vouch for (found in a tryout on 2026-11-29), through the
services: a conduct review made before the five years it vouches for end, a probation completed
before the officer's service began, a mistyped year, and an officer declared ineligible on
checks that are only pending before the as-of date."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from qualify.cli.errors import render
from qualify.errors import BadInput, RuleViolation
from qualify.services import candidates, evidence, selections
from qualify.services.advance import advance
from qualify.services.eligibility import run_checks
from qualify.services.scenario import letter_pdf
from qualify.store.tables import AuditEvent, Candidate, Evidence
from tests.helpers.actors import as_user
from tests.helpers.builders import COMMANDER, HR, Sample, an_officer


def _add(sample: Sample, cid: int, kind: str, **fields: str) -> int:
    """HR enters one record; returns its id."""
    with tempfile.TemporaryDirectory() as tmp:
        file = None
        if kind == "recommendation":
            file = Path(tmp) / "letter.pdf"
            file.write_bytes(letter_pdf("I recommend this officer.\n"))
        added = evidence.add_evidence(
            session=sample.session,
            files_dir=sample.settings.files_dir,
            candidate_id=cid,
            kind=kind,
            fields=fields,
            file=file,
            actor=as_user(HR),
            now=sample.clock.tick(),
        )
    assert added.id is not None
    return added.id


def _result(sample: Sample, cid: int, check: str) -> tuple[str, str]:
    report = run_checks(
        session=sample.session, candidate_id=cid, selection_id=None, actor=as_user(HR)
    )
    found = next(r for r in report["candidates"][0]["results"] if r["check"] == check)
    return found["status"], found["reason"]


def test_a_conduct_review_made_before_the_as_of_date_does_not_pass_good_conduct(
    sample: Sample,
) -> None:
    cid = an_officer(sample, "MPD-2001", "Ana", "Ruiz")
    # The window is the 5 years to the as-of date, 2027-01-15; the clock is on that day.
    for reviewed in ("1950-01-01", "2022-01-01", "2027-01-14"):
        record = _add(sample, cid, "conduct_review", reviewed_on=reviewed)
        assert _result(sample, cid, "good_conduct") == (
            "pending",
            f"the conduct review on file is dated {reviewed}, before the as-of date 2027-01-15: "
            f"it does not cover the 5 years to 2027-01-15 (record #{record})",
        )
    record = _add(sample, cid, "conduct_review", reviewed_on="2027-01-15")
    assert _result(sample, cid, "good_conduct") == (
        "pass",
        f"conduct record reviewed 2027-01-15 (record #{record}); no sustained findings since "
        "2022-01-15",
    )


def test_a_probation_completed_before_service_began_does_not_pass(sample: Sample) -> None:
    cid = an_officer(sample, "MPD-2002", "Ben", "Okoro")
    service = _add(sample, cid, "service", full_time_since="2019-04-01")
    probation = _add(sample, cid, "probation", completed_on="2009-04-01")
    assert _result(sample, cid, "probation_completed") == (
        "fail",
        f"probation not counted: record #{probation} is dated 2009-04-01, before service began "
        f"2019-04-01 (record #{service})",
    )
    probation = _add(sample, cid, "probation", completed_on="2020-04-01")
    assert _result(sample, cid, "probation_completed") == (
        "pass",
        f"probation completed 2020-04-01 (record #{probation})",
    )


@pytest.mark.parametrize(
    ("given", "named"),
    [({"date": "1926-11-20"}, "--date"), ({"fields": {"reviewed_on": "1949-12-31"}}, "--field")],
)
def test_a_fact_dated_before_1950_is_refused_naming_its_field(
    sample: Sample, given: dict[str, object], named: str
) -> None:
    cid = an_officer(sample, "MPD-2003", "Cy", "Lund")
    day = str(given.get("date") or "1949-12-31")
    with pytest.raises(BadInput) as refused:
        evidence.add_evidence(
            session=sample.session,
            files_dir=sample.settings.files_dir,
            candidate_id=cid,
            kind="conduct_review",
            fields=given.get("fields", {}),  # type: ignore[arg-type]
            date=given.get("date"),  # type: ignore[arg-type]
            actor=as_user(HR),
            now=sample.clock.tick(),
        )
    assert render(refused.value).startswith(
        f"{named}{' reviewed_on' if named == '--field' else ''}: {day} is before 1950-01-01, "
        "the earliest date a fact may have; is the year mistyped?"
    )
    sample.session.rollback()
    on_file = sample.session.exec(select(Evidence).where(Evidence.candidate_id == cid)).all()
    assert on_file == []
    assert _add(sample, cid, "conduct_review", reviewed_on="1950-01-01")


def _screened_in_a_selection_measured_later(sample: Sample, as_of: date) -> tuple[int, int]:
    """A second selection, measured on `as_of` (after the sample's clock), with two officers
    in screening whose records are complete but for their probation; the second one's tobacco
    attestation says no (a failed qualification). Returns the two candidate ids."""
    opened = selections.open_selection(
        session=sample.session,
        settings=sample.settings,
        title="School Resource Officer, spring",
        workflow="sro-selection",
        as_of=as_of,
        actor=as_user(HR),
        now=sample.clock.tick(),
    )
    assert opened.id is not None
    ids = []
    for employee, tobacco_free in (("MPD-3001", "yes"), ("MPD-3002", "no")):
        added = candidates.add_candidate(
            session=sample.session,
            selection_id=opened.id,
            values={
                "employee_id": employee,
                "first_name": "Grace" if tobacco_free == "yes" else "Hal",
                "last_name": "Liu" if tobacco_free == "yes" else "Moss",
                "rank": "Officer",
                "unit": "Patrol A",
                "supervisor": "sgt.moreau",
                "email": "",
            },
            actor=as_user(HR),
            now=sample.clock.tick(),
        )
        cid = added.id or 0
        _add(sample, cid, "certification", full_time_certified="yes")
        _add(sample, cid, "service", full_time_since="2024-03-01")
        _add(sample, cid, "conduct_review", reviewed_on="2027-01-15")
        _add(sample, cid, "recommendation", author="sgt.moreau", written_on="2027-01-04")
        _add(sample, cid, "fitness", result="pass", tested_on="2027-01-04")
        _add(sample, cid, "drug_screen", result="pass", tested_on="2027-01-04")
        _add(sample, cid, "tobacco", tobacco_free=tobacco_free, attested_on="2027-01-04")
        advance(
            session=sample.session,
            candidate_id=cid,
            trigger="begin_screening",
            actor=as_user(HR),
            now=sample.clock.tick(),
        )
        ids.append(cid)
    return ids[0], ids[1]


def test_an_officer_is_not_declared_ineligible_on_pending_checks_before_the_as_of_date(
    sample: Sample,
) -> None:
    as_of = date(2027, 1, 27)  # twelve days after the sample's clock
    grace, hal = _screened_in_a_selection_measured_later(sample, as_of)
    pending = (
        'cannot "Declare the officer ineligible" for Grace Liu: no qualification of Grace Liu '
        "has failed, and these checks are pending: Probationary period successfully completed "
        "and History of good conduct (no sustained findings in 5 years); the as-of date "
        "2027-01-27 has not come, and what is pending may be recorded until then"
    )
    for told in ({"reason_code": "records_incomplete"}, {"notice": "Your records are late."}):
        with pytest.raises(RuleViolation) as refused:
            advance(
                session=sample.session,
                candidate_id=grace,
                trigger="declare_ineligible",
                reason="Probation not complete.",
                actor=as_user(COMMANDER),
                now=sample.clock.tick(),
                **told,  # type: ignore[arg-type]
            )
        assert render(refused.value) == pending
    assert sample.session.get(Candidate, grace).state == "screening"  # type: ignore[union-attr]
    kept = sample.session.exec(
        select(AuditEvent).where(
            AuditEvent.candidate_id == grace, AuditEvent.action == "advance_refused"
        )
    ).all()
    assert len(kept) == 2

    # A failed qualification is a finding already; but its records are not "incomplete on the
    # date they are measured" while that date has not come.
    with pytest.raises(RuleViolation) as untrue:
        advance(
            session=sample.session,
            candidate_id=hal,
            trigger="declare_ineligible",
            reason="Uses tobacco.",
            reason_code="records_incomplete",
            actor=as_user(COMMANDER),
            now=sample.clock.tick(),
        )
    assert "but the as-of date 2027-01-27, on which the records are measured, has not come" in (
        render(untrue.value)
    )
    advance(
        session=sample.session,
        candidate_id=hal,
        trigger="declare_ineligible",
        reason="Uses tobacco.",
        reason_code="qualifications_not_met",
        actor=as_user(COMMANDER),
        now=sample.clock.tick(),
    )

    # On the as-of date, what is still pending was not on file on the date it is measured.
    sample.clock.move_to(as_of)
    done = advance(
        session=sample.session,
        candidate_id=grace,
        trigger="declare_ineligible",
        reason="Probation not complete on the as-of date.",
        reason_code="records_incomplete",
        actor=as_user(COMMANDER),
        now=sample.clock.tick(),
    )
    assert done.to_state == "ineligible"
