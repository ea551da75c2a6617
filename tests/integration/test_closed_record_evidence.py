"""A withdrawn officer's record is closed: it takes no new evidence."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from qualify.errors import RuleViolation
from qualify.services.evidence import add_evidence
from qualify.store.tables import Evidence
from tests.helpers.actors import as_user
from tests.helpers.builders import Sample, in_interview


def test_evidence_on_a_withdrawn_officer_is_refused_and_nothing_is_kept(
    session: Session, sample: Sample
) -> None:
    in_interview(sample)  # Corporal Fitzgerald (MPD-1199) has withdrawn
    owen = sample.ids["MPD-1199"]
    before = len(session.exec(select(Evidence).where(Evidence.candidate_id == owen)).all())
    with pytest.raises(RuleViolation) as refused:
        add_evidence(
            session=session,
            files_dir=sample.settings.files_dir,
            candidate_id=owen,
            kind="tobacco",
            fields={"tobacco_free": "yes", "attested_on": "2027-01-08"},
            actor=as_user("hr.alvarez"),
        )
    assert str(refused.value) == (
        "Owen Fitzgerald is at Withdrawn, a final state: the record is closed and takes no new "
        "evidence"
    )
    after = len(session.exec(select(Evidence).where(Evidence.candidate_id == owen)).all())
    assert after == before
    # An officer still in interview takes evidence as before.
    add_evidence(
        session=session,
        files_dir=sample.settings.files_dir,
        candidate_id=sample.ids["MPD-1042"],
        kind="tobacco",
        fields={"tobacco_free": "yes", "attested_on": "2027-01-08"},
        actor=as_user("hr.alvarez"),
        now=sample.clock.tick(),
    )
