"""What a panelist's request costs the database: each asks who is signed in (one transaction),
then does its work in one more, with a bounded number of SQL statements. Under load the
portal's time is this work (docs/performance.md); a route that read the kit again, or a service
that read a record once per panelist, would show here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from qualify.config import Settings
from qualify.store.clock import utcnow
from tests.helpers.builders import AFTER_INTERVIEWS
from tests.web.conftest import Clock, candidate_id, csrf_of

Browser = Callable[[str], TestClient]
SCORES = {
    "appearance_attitude": "4",
    "role_model": "3",
    "liaison": "4",
    "not_disciplinarian": "3",
    "prevention_education": "4",
    "emergency_planning": "2",
}


@dataclass
class Cost:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0  # a connection is taken from the pool for each


@contextmanager
def counted(engine: Engine) -> Iterator[Cost]:
    cost = Cost()

    def statement(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        cost.statements.append(" ".join(sql.split())[:120])

    def checkout(*_: object) -> None:
        cost.transactions += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "checkout", checkout)
    try:
        yield cost
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "checkout", checkout)


def test_each_panelist_request_takes_few_transactions_and_statements(
    sro_browser: Browser, sro_settings: Settings, clock: Clock
) -> None:
    clock.offset = AFTER_INTERVIEWS - utcnow()  # the sample's interviews are held: scores go in
    chen = sro_browser("rep.chen")
    engine = chen.app.state.portal.engine  # type: ignore[attr-defined]
    cid = candidate_id(sro_settings, "MPD-1042")
    kit = f"/interviews/{cid}"
    token = csrf_of(chen.get(kit).text)  # also notes the session's use: no write below for it
    steps = [
        ("open the kit", lambda: chen.get(kit), 200),
        (
            "declare",
            lambda: chen.post(f"{kit}/declare", data={"csrf_token": token, "declaration": "none"}),
            303,
        ),
        (
            "save a draft",
            lambda: chen.post(
                f"{kit}/draft",
                data={"csrf_token": token, "score-liaison": "4"},
                headers={"accept": "application/json"},
            ),
            200,
        ),
        (
            "submit",
            lambda: chen.post(
                f"{kit}/submit",
                data={"csrf_token": token, **{f"score-{k}": v for k, v in SCORES.items()}},
            ),
            303,
        ),
        ("the confirmation step", lambda: chen.get(f"{kit}/confirm"), 200),
        (
            "confirm",
            lambda: chen.post(f"{kit}/submit", data={"csrf_token": token, "confirm": "yes"}),
            303,
        ),
    ]
    # (transactions, SQL statements on SQLite with BEGIN) at most; before these bounds the portal
    # took 2 to 5 database sessions and 13 to 35 statements each (a draft: 3 and 20). The
    # submission's two steps read the interview once each (they read it twice: 3 and 14, 2 and
    # 17). Who is signed in, their roles and the selections' workflows are one statement (they
    # were two: each bound below was one more).
    most = {
        "open the kit": (2, 6),  # the panelist's own seat, declaration and scorecards
        "declare": (2, 10),
        "save a draft": (2, 7),
        "submit": (2, 7),  # the draft saved, then checked, on one reading
        "the confirmation step": (2, 6),
        "confirm": (2, 12),  # submitted already? (a reload sends nothing again), then submit
    }
    for name, send, status in steps:
        with counted(engine) as cost:
            answer = send()
        assert answer.status_code == status, (name, answer.text[:300])
        transactions, statements = most[name]
        assert cost.transactions <= transactions, (name, cost.transactions)
        assert len(cost.statements) <= statements, (name, "\n".join(cost.statements))
