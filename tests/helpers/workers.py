"""Worker processes for the concurrency and crash tests: each uses its own engine."""

from __future__ import annotations

import contextlib
import json
import random
import sys
from pathlib import Path

from sqlmodel import Session

from qualify.errors import QualifyError
from qualify.services.advance import advance
from qualify.store import db
from tests.helpers.actors import as_user

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# (trigger, actor, reason) moves that cycle candidates through screening and back.
# Declaring someone ineligible sends a letter, so it says what the letter tells the officer (in
# its own words: a reason code must be true by the records, and these officers qualify).
NOTICES = {"declare_ineligible": "Your records are being reviewed again."}
MOVES = [
    ("begin_screening", "hr.alvarez", None),
    ("declare_ineligible", "cmdr.obrien", "records incomplete"),
    ("reinstate", "chief.walsh", "records found"),
    ("confirm_eligible", "cmdr.obrien", None),
    ("withdraw", "hr.alvarez", "changed their mind"),
    ("schedule_interview", "cmdr.obrien", None),
]


def run(url: str, candidates: list[int], operations: int, seed: int) -> None:
    """Fire random moves; print one JSON line per success: [candidate, event id, to state]."""
    rng = random.Random(seed)
    engine = db.make_engine(url)
    try:
        for _ in range(operations):
            trigger, actor, reason = rng.choice(MOVES)
            candidate = rng.choice(candidates)
            with Session(engine, expire_on_commit=False) as session:
                try:
                    done = advance(
                        session=session,
                        candidate_id=candidate,
                        trigger=trigger,
                        actor=as_user(actor),
                        reason=reason,
                        notice=NOTICES.get(trigger),
                    )
                except QualifyError:
                    continue
            print(json.dumps([candidate, done.event_id, done.to_state]), flush=True)
    finally:
        engine.dispose()


def loop_forever(url: str, candidates: list[int], records: str | None = None) -> None:
    """Cycle candidates between screening and ineligible until killed, writing packets into
    `records` if given. Prints "ready" once it has imported everything and read the database,
    then one line per advance."""
    from qualify.services.firing import PacketPlace
    from qualify.store.tables import Candidate

    engine = db.make_engine(url)
    place = PacketPlace(TEMPLATES, Path(records)) if records else None
    if place is not None:
        import weasyprint  # noqa: F401

        import qualify.packets.render  # noqa: F401  (WeasyPrint loads lazily on the first packet)
    with Session(engine) as session:
        session.get(Candidate, candidates[0])
    print("ready", flush=True)
    moves = {
        "screening": ("declare_ineligible", "cmdr.obrien"),
        "ineligible": ("reinstate", "chief.walsh"),
    }
    while True:
        for candidate in candidates:
            with Session(engine, expire_on_commit=False) as session:
                state = session.get(Candidate, candidate).state  # type: ignore[union-attr]
                session.rollback()
                trigger, actor = moves.get(state, ("begin_screening", "hr.alvarez"))
                with contextlib.suppress(QualifyError):
                    advance(
                        session=session,
                        candidate_id=candidate,
                        trigger=trigger,
                        actor=as_user(actor),
                        reason="cycle",
                        packets=place,
                        notice=NOTICES.get(trigger),
                    )
            print(candidate, flush=True)


def submit(url: str, candidate: int, panelist: str) -> None:
    """Submit the panelist's scorecard; print ok, or the refusal."""
    from qualify.services.scorecards import score

    engine = db.make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        try:
            score(
                session=session,
                candidate_id=candidate,
                actor=as_user(panelist),
                scores={},
                comments={},
                submit=True,
            )
            print("ok", flush=True)
        except QualifyError as exc:
            print(f"refused: {exc}", flush=True)
    engine.dispose()


if __name__ == "__main__":
    command, url, ids = sys.argv[1], sys.argv[2], [int(i) for i in sys.argv[3].split(",")]
    if command == "run":
        run(url, ids, int(sys.argv[4]), int(sys.argv[5]))
    elif command == "submit":
        submit(url, ids[0], sys.argv[4])
    else:
        loop_forever(url, ids, sys.argv[4] if len(sys.argv) > 4 else None)
