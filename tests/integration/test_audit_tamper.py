"""Someone who can write to the database but does not hold the audit key cannot edit, delete,
insert, reorder, append or truncate without `audit verify` failing and naming what is wrong.
Each case works on the database directly, as such a person would (append-only triggers
dropped first); the key file and the checkpoint file stay outside the database."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from qualify import auditkey
from qualify.cli.errors import render
from qualify.config import Settings
from qualify.errors import DatabaseError
from qualify.services.accounts import demo_password
from qualify.services.advance import advance
from qualify.services.audit_admin import INIT_ACTOR, checkpoint_head, install_key, rotate_key
from qualify.services.scenario import Scenario, candidate_ids
from qualify.store import audit, checkpoints, recorded
from qualify.store.integrity import replayed_states, verify
from qualify.store.tables import AuditEvent, Candidate, Evidence, Selection, User
from tests.helpers.actors import as_user
from tests.helpers.builders import Sample, interviewed

Sro = tuple[Scenario, Selection]


def _drop_guards(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
        session.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
    else:
        session.execute(text("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event"))


def _tamper(session: Session, *statements: str, records: Path | None = None) -> str:
    """Run statements as an attacker with database access; return what verify reports."""
    assert verify(session, checkpoint_path=_file(records)).ok
    _drop_guards(session)
    for statement in statements:
        session.execute(text(statement))
    session.commit()
    session.expire_all()
    result = verify(session, checkpoint_path=_file(records))
    assert not result.ok
    return result.problem


def _file(records: Path | None) -> Path | None:
    return None if records is None else checkpoints.checkpoint_file(records)


def _evidence(session: Session, kind: str, **fields: object) -> Evidence:
    for row in session.exec(
        select(Evidence).where(Evidence.kind == kind).order_by(col(Evidence.id))
    ):
        if all(row.fields.get(k) == v for k, v in fields.items()):
            return row
    raise AssertionError(f"no {kind} evidence with {fields}")


def _set_fields(session: Session, row: Evidence, **changes: object) -> str:
    fields = json.dumps({**row.fields, **changes})
    return _tamper(session, f"UPDATE evidence SET fields = '{fields}' WHERE id = {row.id}")


def test_a_drug_screen_changed_from_fail_to_pass_is_named(session: Session, sro: Sro) -> None:
    row = _evidence(session, "drug_screen", result="pass")
    problem = _set_fields(session, row, result="fail")
    assert problem.startswith(f"evidence #{row.id} (drug_screen of candidate {row.candidate_id})")
    assert "differs from what audit event #" in problem


def test_a_certification_changed_from_no_to_yes_is_named(session: Session, sro: Sro) -> None:
    row = _evidence(session, "certification", full_time_certified=False)
    problem = _set_fields(session, row, full_time_certified=True)
    assert problem.startswith(f"evidence #{row.id} (certification of candidate")
    assert problem.endswith("it was changed outside qualify")


def test_a_deleted_conduct_finding_is_named(session: Session, sro: Sro) -> None:
    row_id = _evidence(session, "conduct_finding", disposition="sustained").id
    problem = _tamper(session, f"DELETE FROM evidence WHERE id = {row_id}")
    assert problem.startswith(f"evidence #{row_id}, recorded by audit event #")
    assert problem.endswith("is missing: it was deleted outside qualify")


def test_evidence_inserted_without_an_event_is_named(session: Session, sro: Sro) -> None:
    row = _evidence(session, "drug_screen", result="pass")
    problem = _tamper(
        session,
        "INSERT INTO evidence (candidate_id, kind, fields, recorded_at, recorded_by, vouched_by)"
        f" VALUES ({row.candidate_id}, 'drug_screen', '{json.dumps(row.fields)}',"
        " '2027-01-09 10:00:00', 'hr.alvarez', 'hr.alvarez')",
    )
    assert "is on file, but no audit event created it" in problem


def test_giving_a_user_the_chief_role_is_named(session: Session, sro: Sro) -> None:
    problem = _tamper(
        session, """UPDATE "user" SET roles = '["chief", "hr"]' WHERE name = 'hr.alvarez'"""
    )
    assert problem.startswith("user hr.alvarez (roles chief, hr) differs from what audit event #")


def test_moving_a_selections_as_of_date_is_named(session: Session, sro: Sro) -> None:
    problem = _tamper(session, "UPDATE selection SET as_of = '2026-06-01' WHERE id = 1")
    assert problem.startswith("selection 1 (as of 2026-06-01, workflow sro-selection) differs")


def test_removing_a_guard_from_the_frozen_workflow_is_named(session: Session, sro: Sro) -> None:
    selection = session.exec(select(Selection)).one()
    edited = selection.workflow_text.replace("      - drug_free\n", "", 1)
    assert edited != selection.workflow_text
    session.expunge_all()
    assert verify(session).ok
    _drop_guards(session)
    session.execute(
        text("UPDATE selection SET workflow_text = :t WHERE id = 1").bindparams(t=edited)
    )
    session.commit()
    problem = verify(session).problem
    assert problem.startswith("selection 1 (as of 2027-01-15, workflow sro-selection) differs")


def _recompute_plain_chain(session: Session, start: int) -> None:
    """What someone without the key can do: recompute every hash from `start` on as a plain
    sha256 chain (keeping or dropping the key id)."""
    events = list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))))
    prev = GENESIS = audit.GENESIS
    for event in events:
        if (event.id or 0) >= start:
            content = audit._content(event)
            digest = hashlib.sha256(f"{prev}\n{content}".encode()).hexdigest()
            session.execute(
                text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :i").bindparams(
                    p=prev, h=digest, i=event.id
                )
            )
            prev = digest
        else:
            prev = event.hash
    assert GENESIS


def test_an_edit_with_the_chain_recomputed_without_the_key_is_named(
    session: Session, sro: Sro
) -> None:
    assert verify(session).ok
    _drop_guards(session)
    session.execute(text("UPDATE audit_event SET actor = 'someone.else' WHERE id = 5"))
    session.commit()
    session.expire_all()
    _recompute_plain_chain(session, 5)
    session.commit()
    session.expire_all()
    assert verify(session).problem == (
        "event #5 (user_added) was edited: its content no longer matches its hash"
    )


def test_a_log_rewritten_as_a_plain_unkeyed_chain_is_named(session: Session, sro: Sro) -> None:
    assert verify(session).ok
    _drop_guards(session)
    session.execute(text("UPDATE audit_event SET key_id = '', records = '{}'"))
    session.commit()
    session.expire_all()
    _recompute_plain_chain(session, 1)
    session.commit()
    session.expire_all()
    problem = verify(session).problem
    assert problem.startswith("no event is signed with the audit key")


def test_appended_well_formed_forged_events_are_named(session: Session, sro: Sro) -> None:
    head = audit.head(session)
    assert head is not None
    forged = AuditEvent(
        at=datetime(2027, 1, 20, tzinfo=UTC),
        actor="chief.walsh",
        role="chief",
        action="user_added",
        subject="user:mallory",
        outcome="ok",
        details='{"name":"mallory","roles":["chief"]}',
        prev_hash=head.hash,
        hash="",
        channel="cli",
        account="root",
        key_id=head.key_id,
        records="{}",
    )
    forged.hash = hashlib.sha256(f"{head.hash}\n{audit._content(forged)}".encode()).hexdigest()
    problem = _tamper(
        session,
        "INSERT INTO audit_event (at, actor, role, action, subject, outcome, details, prev_hash,"
        " hash, channel, account, key_id, records) VALUES ('2027-01-20 00:00:00', 'chief.walsh',"
        f" 'chief', 'user_added', 'user:mallory', 'ok', '{forged.details}', '{head.hash}',"
        f" '{forged.hash}', 'cli', 'root', '{head.key_id}', '{{}}')",
    )
    assert problem == (
        f"event #{(head.id or 0) + 1} (user_added) was edited: its content no longer matches its "
        "hash"
    )


def test_an_appended_event_signed_with_another_key_is_named(
    session: Session, sro: Sro, tmp_path: Path
) -> None:
    other = auditkey.create(tmp_path / "other.key")
    audit.use_key_file(session, other.path)
    audit.record(
        session, actor=as_user("x"), action="user_added", subject="user:x", at=datetime.now(UTC)
    )
    session.commit()
    session.info.clear()  # back to the database's own key
    problem = verify(session).problem
    assert f"is signed with key {other.current_id}, which the key file" in problem


def _advance_all(session: Session, sro: Sro) -> list[int]:
    assert sro[1].id is not None
    ids = sorted(candidate_ids(session, sro[1].id).values())
    for candidate in ids:
        advance(
            session=session,
            candidate_id=candidate,
            trigger="begin_screening",
            actor=as_user("hr.alvarez"),
        )
    return ids


def test_deleting_the_last_event_is_named_against_the_checkpoint(
    session: Session, sro: Sro, tmp_path: Path
) -> None:
    _advance_all(session, sro)
    head_id, _ = checkpoint_head(session=session, records_dir=tmp_path, full=True)
    problem = _tamper(session, f"DELETE FROM audit_event WHERE id = {head_id}", records=tmp_path)
    # the candidate's state no longer replays, and the log is shorter than its checkpoint
    assert "audit events lead to nominated" in problem or "deleted from the end" in problem
    found = verify(session, checkpoint_path=checkpoints.checkpoint_file(tmp_path)).problems
    assert any(
        p == f"the log ends at event #{head_id - 1}, but checkpoint "
        f"{checkpoints.checkpoint_file(tmp_path)} recorded event #{head_id}: events were deleted "
        "from the end"
        for p in found
    )


def test_deleting_the_last_events_and_setting_states_to_the_replay_is_named(
    session: Session, sro: Sro, tmp_path: Path
) -> None:
    _advance_all(session, sro)
    head_id, _ = checkpoint_head(session=session, records_dir=tmp_path, full=True)
    cut = head_id - 3
    assert verify(session).ok
    _drop_guards(session)
    session.execute(text(f"DELETE FROM audit_event WHERE id > {cut}"))
    for candidate, state in replayed_states(session).items():
        session.execute(text(f"UPDATE candidate SET state = '{state}' WHERE id = {candidate}"))
    session.commit()
    session.expire_all()
    assert verify(session).ok  # without the checkpoint nothing inside the database tells
    result = verify(session, checkpoint_path=checkpoints.checkpoint_file(tmp_path))
    assert not result.ok
    assert result.problem.startswith(f"the log ends at event #{cut}, but checkpoint ")


def test_a_rewritten_event_under_a_checkpoint_and_a_forged_checkpoint_are_named(
    session: Session, sro: Sro, tmp_path: Path
) -> None:
    head_id, _ = checkpoint_head(session=session, records_dir=tmp_path, full=True)
    path = checkpoints.checkpoint_file(tmp_path)
    line = path.read_text().splitlines()[-1].split()
    forged = f"{int(line[0]) + 5} {line[1]} {line[2]} {'0' * 64}\n"
    with path.open("a") as out:
        out.write(forged)
    problem = verify(session, checkpoint_path=path).problem
    assert problem == f"checkpoint file {path}, line 2: not signed by the audit key (edited?)"
    assert head_id


def test_a_rotation_is_an_event_and_cutting_the_log_back_before_it_is_named(
    session: Session, sro: Sro, tmp_path: Path
) -> None:
    own = tmp_path / "audit.key"  # a copy: the rotation adds a key to it
    own.write_bytes(audit.key_file(session).read_bytes())
    audit.use_key_file(session, own)
    old, new, event_id = rotate_key(
        session=session, actor=as_user("hr.alvarez"), reason="yearly rotation"
    )
    assert old != new
    rotation = session.get(AuditEvent, event_id)
    assert rotation is not None
    assert (rotation.action, rotation.key_id) == ("audit_key_rotated", old)
    _advance_all(session, sro)
    assert audit.head(session).key_id == new  # type: ignore[union-attr]
    assert verify(session).ok
    problem = _tamper(session, f"DELETE FROM audit_event WHERE id >= {event_id}")
    assert problem.startswith(f"the key file's newest key {new} signs no event")


def test_an_event_whose_time_runs_backwards_is_named(
    session: Session, sro: Sro, settings: Settings
) -> None:
    later = datetime.now(UTC) + timedelta(days=400)
    audit.record(session, actor=as_user("hr.alvarez"), action="note", subject="x", at=later)
    session.commit()
    event = audit.record(
        session, actor=as_user("hr.alvarez"), action="note", subject="y", at=datetime.now(UTC)
    )
    session.commit()
    result = verify(session)
    assert result.ok  # a holder of the key wrote it: authentic, with a clock set back
    if session.get_bind().dialect.name == "postgresql":
        # the server's clock gives every event its time: the caller's cannot run it backwards
        assert abs(audit._utc(event.at) - datetime.now(UTC)) < timedelta(minutes=5)
        assert not [w for w in result.warnings if f"event #{event.id}'s time" in w]
    else:
        assert len(result.warnings) == 1
        assert result.warnings[0].startswith(f"event #{event.id}'s time ")
        assert "a clock ran backwards" in result.warnings[0]


def test_on_the_demo_database_a_step_back_from_its_story_days_says_why(
    session: Session, sro: Sro
) -> None:
    """The demo dates its story in 2027; whatever is done on its database afterwards is dated
    today. The warning stays, and says that (without the demo's password, the same step reads
    "a clock ran backwards": the test above)."""
    if session.get_bind().dialect.name == "postgresql":
        pytest.skip("the server's clock dates every event: nothing runs backwards there")
    demo_password(session=session, actor=as_user("rep.chen"), password="practice-rep.chen")
    story = datetime.now(UTC) + timedelta(days=400)
    audit.record(session, actor=as_user("hr.alvarez"), action="note", subject="x", at=story)
    session.commit()
    audit.record(
        session, actor=as_user("hr.alvarez"), action="note", subject="y", at=datetime.now(UTC)
    )
    session.commit()
    result = verify(session)
    assert result.ok
    # The sample selection's own days (2027) before the demo password, then the note dated
    # after today: each step back is still named, with why.
    assert len(result.warnings) == 2
    for warning in result.warnings:
        assert " is earlier than event #" in warning
        assert warning.endswith(
            "this is the demo's database, whose sample events are dated on the story's days, "
            "after today; what was done since is dated by the clock, so it reads as earlier "
            "(expected here)"
        )


def test_verify_without_the_key_file_says_where_it_looked(
    session: Session, sro: Sro, tmp_path: Path
) -> None:
    audit.use_key_file(session, tmp_path / "moved.key")
    with pytest.raises(DatabaseError) as refused:
        verify(session)
    assert re.match(r"no audit key at .*moved\.key: run 'qualify init'", render(refused.value))


def test_a_key_file_that_cannot_verify_the_log_is_refused_by_init(
    session: Session, sro: Sro, settings: Settings, tmp_path: Path
) -> None:
    from qualify.errors import BadInput

    with pytest.raises(BadInput, match="the audit log is signed with key"):
        install_key(
            session=session,
            path=auditkey.create(tmp_path / "new.key").path,
            actor=as_user(INIT_ACTOR),
        )
    with pytest.raises(BadInput, match="no audit key at .* point QUALIFY_AUDIT_KEY"):
        install_key(session=session, path=tmp_path / "absent.key", actor=as_user(INIT_ACTOR))
    assert not (tmp_path / "absent.key").exists()


def test_changing_a_candidates_state_without_an_event_is_still_named(
    session: Session, sro: Sro
) -> None:
    dana = session.exec(select(Candidate.id).where(Candidate.employee_id == "MPD-1042")).one()
    problem = _tamper(session, f"UPDATE candidate SET state = 'appointed' WHERE id = {dana}")
    assert (
        problem == f"candidate {dana} is in state appointed, but its audit events lead to nominated"
    )


def test_user_rows_hash_the_same_read_back_from_the_database(session: Session, sro: Sro) -> None:
    # Record hashes are computed from the values written and compared with the values read.
    ring = audit.keyring(session)
    walked = audit.walk(session, ring)
    for user in session.exec(select(User)):
        digest, _, kid = walked.records[f"user:{user.id}"]
        assert audit.row_digest(ring, kid, f"user:{user.id}", user) == digest


def test_a_changed_scorecard_a_removed_declaration_and_a_moved_seat_are_named(
    session: Session, sample: Sample
) -> None:
    from qualify.store.tables import ConflictDeclaration, PanelSeat, Scorecard

    interviewed(sample)
    card = session.exec(
        select(Scorecard).where(Scorecard.status == "submitted").order_by(col(Scorecard.id))
    ).first()
    declaration = session.exec(
        select(ConflictDeclaration).order_by(col(ConflictDeclaration.id))
    ).first()
    seat = session.exec(select(PanelSeat).order_by(col(PanelSeat.id))).first()
    assert card is not None
    assert declaration is not None
    assert seat is not None
    card_id, declaration_id, seat_id = card.id, declaration.id, seat.id
    scores = json.dumps(dict.fromkeys(card.scores, 5))
    problem = _tamper(session, f"UPDATE scorecard SET scores = '{scores}' WHERE id = {card_id}")
    assert problem.startswith(f"scorecard #{card_id} (")
    assert "differs from what audit event #" in problem
    session.execute(text(f"DELETE FROM conflict_declaration WHERE id = {declaration_id}"))
    session.execute(text(f"UPDATE panel_seat SET panelist = 'rep.mallory' WHERE id = {seat_id}"))
    session.commit()
    found = verify(session).problems
    assert any(
        p.startswith(f"declaration #{declaration_id}, recorded by audit event #") for p in found
    )
    assert any(p.startswith(f"panel seat #{seat_id} (") and "differs" in p for p in found), found


def test_records_hashed_under_their_former_names_still_verify_and_a_change_is_named(
    session: Session, sample: Sample
) -> None:
    """An event written before migration 0012 recorded a declaration as `attestation:N` and
    evidence with an `attested_by` column: verify checks those hashes under the old names."""
    from qualify.store.integrity import record_mismatches
    from qualify.store.tables import ConflictDeclaration

    interviewed(sample)
    ring = audit.keyring(session)
    latest = dict(audit.walk(session, ring).records)
    declaration = session.exec(select(ConflictDeclaration)).first()
    evidence = _evidence(session, "drug_screen", result="pass")
    assert declaration is not None
    legacy = {
        f"attestation:{declaration.id}": recorded.row_content(declaration),
        f"evidence:{evidence.id}": {
            ("attested_by" if k == "vouched_by" else k): v
            for k, v in recorded.row_content(evidence).items()
        },
    }
    for row, (old_key, content) in zip((declaration, evidence), legacy.items(), strict=True):
        digest, event_id, kid = latest.pop(recorded.row_key(row))
        old = ring.mac(kid, f"record\n{old_key}\n{audit.canonical(content)}")
        assert old != digest  # the names are part of the hash
        latest[old_key] = (old, event_id, kid)
    assert record_mismatches(session, ring, latest) == []

    session.execute(text(f"UPDATE evidence SET vouched_by = 'mallory' WHERE id = {evidence.id}"))
    session.commit()
    session.expire_all()
    event_id = latest[f"evidence:{evidence.id}"][1]
    assert record_mismatches(session, ring, latest) == [
        f"evidence #{evidence.id} (drug_screen of candidate {evidence.candidate_id}) differs "
        f"from what audit event #{event_id} recorded: it was changed outside qualify"
    ]
