"""The portal under load: simulated panelists at once, each opening interview kits, declaring,
saving drafts criterion by criterion and submitting, against `qualify serve` on 127.0.0.1;
beside it, in the same run, a bare Starlette endpoint doing one SELECT with the same number
of requests and clients. Afterwards every scorecard must equal what its panelist sent: one
submitted version, nothing lost, nothing doubled.

python -m benchmarks.portal [--backends sqlite,postgres] [--postgres-workers 1,2]
                            [--panelists 20] [--candidates 10] [--output docs/performance.md]

Each panelist takes 10 actions per candidate (open the kit, declare, six drafts, the submit
step and its confirmation), 2,000 requests for 20 panelists and 10 candidates, and opens the 3
pages the declaration, the submit step and the confirmation redirect to, as a browser does:
2,600 requests in all. PostgreSQL is measured once for each number of server processes in
--postgres-workers; SQLite is served by one. Bounded: every request times out after 30 s and
the whole run stops at its deadline. The section it writes is printed too.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from statistics import median
from typing import Any

import httpx2
from sqlmodel import Session, select
from tests.helpers.actors import as_user
from tests.helpers.serve import HOST, free_port, server_process, wait_healthy

from benchmarks.common import database, postgres_available, use_audit_key
from qualify.config import PortalSettings, Settings
from qualify.services.accounts import demo_password
from qualify.services.advance import advance
from qualify.services.candidates import add_candidate
from qualify.services.panel import assign_panel
from qualify.services.selections import open_selection
from qualify.services.users import add_user, create_admin
from qualify.store import db
from qualify.store.tables import Scorecard

HERE = Path(__file__).parent
CRITERIA = (
    "appearance_attitude",
    "role_model",
    "liaison",
    "not_disciplinarian",
    "prevention_education",
    "emergency_planning",
)
ACTIONS = 10  # per candidate: kit, declare, six drafts, submit, confirm
PER_CANDIDATE = 13  # requests: the actions and the 3 pages their redirects lead to
# The pages a browser opens after an action's redirect: not actions of their own.
FOLLOWED = ("kit after declaring", "confirmation page", "kit after submitting")
TIMEOUT = 30.0
DEADLINE = 600.0
# QUALIFY_PORTAL_AT_ONCE as high as it goes: every panelist's request at work at once.
ALL_AT_ONCE = 64
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
REFUSAL = re.compile(r'class="refusal"[^>]*>(.*?)</p>', re.S)
MARK_START = "<!-- portal-load -->"
MARK_END = "<!-- /portal-load -->"


def password_of(name: str) -> str:
    return f"{name} load benchmark"


def panelist_names(count: int) -> list[str]:
    return [f"panelist{n:02d}" for n in range(1, count + 1)]


def sent_scores(panelist: str, candidate_id: int) -> dict[str, int]:
    """What a panelist scores a candidate: 2 to 4 (no extreme, so no comment is needed),
    different for every pair so a score saved on the wrong card would show."""
    seed = sum(map(ord, panelist)) * 31 + candidate_id * 7
    return {c: 2 + (seed + i) % 3 for i, c in enumerate(CRITERIA)}


def prepare(url: str, folder: Path, panelists: int, candidates: int) -> tuple[Settings, list[int]]:
    """A selection on the benchmark's workflow with one panel of `panelists` seats, each
    panelist with a portal password, and `candidates` candidates in the interview."""
    workflows = folder / "workflows"
    workflows.mkdir(exist_ok=True)
    text = (HERE / "panel.yaml").read_text().replace("count: 20", f"count: {panelists}")
    (workflows / "load-benchmark.yaml").write_text(text)
    settings = Settings.from_env(
        {
            "QUALIFY_WORKFLOWS": str(workflows),
            "QUALIFY_FILES": str(folder / "files"),
            "QUALIFY_RECORDS": str(folder / "records"),
            "QUALIFY_OUTPUT": str(folder / "out"),
        },
        database_url=url,
    )
    engine = db.make_engine(url)
    db.upgrade(engine)
    names = panelist_names(panelists)
    with Session(engine, expire_on_commit=False) as session:
        create_admin(session=session, workflows_dir=workflows, actor=as_user("hr"), roles=["hr"])
        for name in names:
            add_user(
                session=session,
                workflows_dir=workflows,
                name=name,
                roles=["panelist"],
                full_name=f"Panelist {name.removeprefix('panelist')}",
                title="Load benchmark panelist",
                actor=as_user("hr"),
            )
            demo_password(session=session, actor=as_user(name), password=password_of(name))
        selection = open_selection(
            session=session,
            settings=settings,
            title="Load benchmark",
            workflow="load-benchmark",
            as_of=date(2027, 1, 15),
            actor=as_user("hr"),
        )
        assert selection.id is not None
        assign_panel(
            session=session,
            selection_id=selection.id,
            seats=[("panelist", name) for name in names],
            actor=as_user("hr"),
        )
        ids = []
        for n in range(candidates):
            added = add_candidate(
                session=session,
                selection_id=selection.id,
                values={
                    "employee_id": f"LB-{n:04d}",
                    "first_name": "Officer",
                    "last_name": f"Number {n}",
                    "rank": "Officer",
                    "unit": "Patrol",
                    "supervisor": "",
                    "email": "",
                },
                actor=as_user("hr"),
            )
            assert added.id is not None
            advance(
                session=session,
                candidate_id=added.id,
                trigger="schedule_interview",
                actor=as_user("hr"),
            )
            ids.append(added.id)
    engine.dispose()
    return settings, ids


@dataclass
class Recorder:
    """Every request's kind, latency and whether it went as expected, from every thread."""

    samples: list[tuple[str, float, bool]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(
        self, kind: str, expected: int, send: Callable[[], httpx2.Response]
    ) -> httpx2.Response | None:
        began = time.perf_counter()
        try:
            answer = send()
        except httpx2.HTTPError as exc:
            self.note(kind, time.perf_counter() - began, f"{kind}: {exc!r}")
            return None
        spent = time.perf_counter() - began
        if answer.status_code != expected:
            said = REFUSAL.search(answer.text)
            text = html.unescape(said.group(1)) if said else answer.text[:200]
            self.note(kind, spent, f"{kind}: {answer.status_code} {text}")
            return answer
        with self.lock:
            self.samples.append((kind, spent, True))
        return answer

    def note(self, kind: str, spent: float, problem: str) -> None:
        with self.lock:
            self.samples.append((kind, spent, False))
            self.problems.append(problem)


def sign_in(base_url: str, name: str) -> tuple[httpx2.Client, str]:
    """A panelist's own browser: signed in, with the session's CSRF token."""
    client = httpx2.Client(base_url=base_url, timeout=TIMEOUT, follow_redirects=False)
    page = client.get("/login")
    token = CSRF.search(page.text)
    assert token, "no CSRF token on the sign-in page"
    done = client.post(
        "/login",
        data={"username": name, "password": password_of(name), "csrf_token": token.group(1)},
    )
    assert done.status_code == 303, done.text[:300]
    home = client.get("/")
    token = CSRF.search(home.text)
    assert token, "no CSRF token once signed in"
    return client, token.group(1)


def panelist_session(
    client: httpx2.Client, csrf: str, name: str, ids: list[int], rec: Recorder, stop: float
) -> None:
    """One panelist's work: every candidate, kit to submission, as a browser sends it."""
    for cid in ids:
        if time.monotonic() > stop:
            rec.note("deadline", 0.0, f"{name}: stopped at the deadline")
            return
        one_candidate(client, csrf, cid, sent_scores(name, cid), rec)


def follow(client: httpx2.Client, answer: httpx2.Response | None, kind: str, rec: Recorder) -> None:
    """Open the page a redirect leads to, as a browser does at once."""
    if answer is not None and answer.status_code == 303:
        rec.call(kind, 200, lambda: client.get(answer.headers["location"]))


def one_candidate(
    client: httpx2.Client, csrf: str, cid: int, scores: dict[str, int], rec: Recorder
) -> None:
    """Open the kit, declare, save a draft after each criterion, submit and confirm; after the
    declaration, the submit step and the confirmation, open the page each redirects to."""
    kit = f"/interviews/{cid}"
    rec.call("open kit", 200, lambda: client.get(kit))
    declared = rec.call(
        "declare",
        303,
        lambda: client.post(f"{kit}/declare", data={"csrf_token": csrf, "declaration": "none"}),
    )
    follow(client, declared, "kit after declaring", rec)
    for criterion, value in scores.items():
        draft = {"csrf_token": csrf, f"score-{criterion}": str(value)}
        rec.call(
            "save draft",
            200,
            lambda d=draft: client.post(
                f"{kit}/draft", data=d, headers={"accept": "application/json"}
            ),
        )
    form = {"csrf_token": csrf, **{f"score-{c}": str(v) for c, v in scores.items()}}
    submitted = rec.call("submit", 303, lambda: client.post(f"{kit}/submit", data=form))
    follow(client, submitted, "confirmation page", rec)
    confirmed = rec.call(
        "confirm",
        303,
        lambda: client.post(f"{kit}/submit", data={"csrf_token": csrf, "confirm": "yes"}),
    )
    follow(client, confirmed, "kit after submitting", rec)


def baseline_session(
    client: httpx2.Client, ids: list[int], count: int, rec: Recorder, stop: float
) -> None:
    for n in range(count):
        if time.monotonic() > stop:
            rec.note("deadline", 0.0, "baseline: stopped at the deadline")
            return
        cid = ids[n % len(ids)]
        rec.call("one SELECT", 200, lambda c=cid: client.get(f"/candidate/{c}"))


def run_threads(work: list[Callable[[], None]]) -> float:
    """Start every client at once; the wall time until the last one finishes."""
    threads = [threading.Thread(target=w) for w in work]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE + TIMEOUT)
    return time.perf_counter() - began


@contextmanager
def baseline_server(url: str) -> Iterator[str]:
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.baseline_app", url, str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(base_url, server)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()


def summary(rec: Recorder, wall: float) -> dict[str, Any]:
    times = sorted(s for _, s, _ in rec.samples)

    def pct(q: float, values: list[float]) -> float:
        return (
            round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 1) if values else 0.0
        )

    kinds: dict[str, list[float]] = {}
    for kind, spent, _ in rec.samples:
        kinds.setdefault(kind, []).append(spent)
    actions = sorted(s for kind, s, _ in rec.samples if kind not in FOLLOWED)
    return {
        "requests": len(rec.samples),
        "errors": sum(1 for *_, ok in rec.samples if not ok),
        "p50_ms": round(median(times) * 1000, 1) if times else 0.0,
        "p95_ms": pct(0.95, times),
        "actions": len(actions),
        "actions_p95_ms": pct(0.95, actions),
        "max_ms": round(times[-1] * 1000, 1) if times else 0.0,
        "wall_s": round(wall, 2),
        "per_s": round(len(times) / wall, 1) if wall else 0.0,
        "kinds": {
            k: {
                "count": len(v),
                "p50_ms": round(median(v) * 1000, 1),
                "p95_ms": pct(0.95, sorted(v)),
            }
            for k, v in kinds.items()
        },
        "problems": rec.problems[:5],
    }


def check_scorecards(url: str, names: list[str], ids: list[int]) -> list[str]:
    """Every (panelist, candidate) pair has one scorecard, submitted, as sent."""
    engine = db.make_engine(url)
    problems = []
    with Session(engine) as session:
        cards = list(session.exec(select(Scorecard)))
    engine.dispose()
    found: dict[tuple[str, int], list[Scorecard]] = {}
    for card in cards:
        found.setdefault((card.panelist, card.candidate_id), []).append(card)
    for name in names:
        for cid in ids:
            mine = found.pop((name, cid), [])
            if len(mine) != 1:
                problems.append(f"{name} on candidate {cid}: {len(mine)} scorecards")
                continue
            card = mine[0]
            if card.status != "submitted" or card.version != 1:
                problems.append(f"{name} on candidate {cid}: {card.status} version {card.version}")
            if {k: int(v) for k, v in card.scores.items()} != sent_scores(name, cid):
                problems.append(f"{name} on candidate {cid}: {card.scores} is not what was sent")
    problems += [f"unexpected scorecard of {k[0]} on candidate {k[1]}" for k in found]
    return problems


def process_cpu(pid: int) -> float:
    """CPU seconds (user and system) of a process and of its children now running (the
    server's worker processes)."""
    tick = os.sysconf("SC_CLK_TCK")

    def fields(path: Path) -> list[str] | None:
        try:
            return path.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None

    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        f = fields(stat)
        if f is not None and (stat.parent.name == str(pid) or f[1] == str(pid)):
            total += (int(f[11]) + int(f[12])) / tick
    return total


def run(
    backend: str,
    folder: Path,
    panelists: int,
    candidates: int,
    workers: int = 1,
    at_once: int = PortalSettings.at_once,
) -> dict[str, Any]:
    with database(backend, folder) as url:
        use_audit_key(folder)
        settings, ids = prepare(url, folder, panelists, candidates)
        names = panelist_names(panelists)
        env = {
            "QUALIFY_WORKFLOWS": str(settings.workflows_dir),
            "QUALIFY_FILES": str(settings.files_dir),
            "QUALIFY_RECORDS": str(settings.records_dir),
            "QUALIFY_PORTAL_AT_ONCE": str(at_once),
        }
        stop = time.monotonic() + DEADLINE
        with baseline_server(url) as base:
            clients = [httpx2.Client(base_url=base, timeout=TIMEOUT) for _ in names]
            rec = Recorder()
            per = candidates * PER_CANDIDATE
            wall = run_threads(
                [lambda c=c: baseline_session(c, ids, per, rec, stop) for c in clients]
            )
            for c in clients:
                c.close()
            baseline = summary(rec, wall)
        with server_process(url, env=env, workers=workers) as (base, server):
            signed = [sign_in(base, name) for name in names]
            load_before = os.getloadavg()[0]
            server_before, client_before = process_cpu(server.pid), time.process_time()
            rec = Recorder()
            wall = run_threads(
                [
                    lambda c=c, t=t, n=n: panelist_session(c, t, n, ids, rec, stop)
                    for (c, t), n in zip(signed, names, strict=True)
                ]
            )
            server_cpu = process_cpu(server.pid) - server_before
            client_cpu = time.process_time() - client_before
            load_after = os.getloadavg()[0]
            for c, _ in signed:
                c.close()
            portal = summary(rec, wall)
        mismatches = check_scorecards(url, names, ids)
    count = portal["requests"] or 1
    return {
        "backend": backend,
        "workers": workers,
        "at_once": at_once,
        "panelists": panelists,
        "candidates": candidates,
        "portal": portal,
        "baseline": baseline,
        # The machine's load average (1 minute) as the portal's run began and ended: other
        # people's work on the same cores shows in the latencies.
        "load": (round(load_before, 1), round(load_after, 1)),
        # CPU time per request of the server's processes and of the benchmark's own clients:
        # what the 2 cores spend on it, whoever else is using them.
        "server_cpu_ms": round(server_cpu * 1000 / count, 2),
        "client_cpu_ms": round(client_cpu * 1000 / count, 2),
        "ratio_p50": round(portal["p50_ms"] / baseline["p50_ms"], 1)
        if baseline["p50_ms"]
        else None,
        "ratio_p95": round(portal["p95_ms"] / baseline["p95_ms"], 1)
        if baseline["p95_ms"]
        else None,
        "scorecards_ok": not mismatches,
        "scorecard_problems": mismatches[:5],
    }


def section(runs: list[dict[str, Any]]) -> str:
    lines = [
        MARK_START,
        "## The portal under load",
        "",
        "Measured by `python -m benchmarks.portal` (run by `make bench`), which rewrites this "
        "section and prints it: simulated panelists at once, each signed in with its own "
        "session, opening every candidate's interview kit, declaring no conflict, saving a draft "
        "after each of the six criteria, and submitting with the confirmation step (10 actions "
        "per candidate), and, as a browser does, opening the page each of the declaration, the "
        "submit step and the confirmation redirects to (3 more requests per candidate), against "
        "`qualify serve` on 127.0.0.1 (on PostgreSQL with the number of server processes shown; "
        "SQLite is served by one), each process working on the number of requests at once "
        "shown (`QUALIFY_PORTAL_AT_ONCE`, 4 by default; the others wait their turn in the order "
        "they came), and for comparison with every request at once. Beside it, in the same run, a bare Starlette endpoint doing "
        "one SELECT, served by uvicorn in one process, takes the same number of requests from "
        "the same number of clients. Latencies are per request, as the client sees them; "
        "p95 of the actions leaves out the pages opened after a redirect. CPU per request is "
        "the CPU time of the server's processes and of the benchmark's own clients over the "
        "run, divided by its requests: what the machine's 2 cores spent on it (the database "
        "server's share is not in it).",
        "",
        "| backend | server processes | at once | panelists x candidates | requests | errors | p50 ms "
        "| p95 ms | p95 ms of the actions | max ms | requests/s | server CPU ms per request "
        "| client CPU ms per request | baseline p50 ms | baseline p95 ms | ratio p50 | ratio p95 "
        "| load average | scorecards as sent |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        p, b = r["portal"], r["baseline"]
        lines.append(
            f"| {r['backend']} | {r['workers']} | {at_once_words(r)} | {r['panelists']} x {r['candidates']} | "
            f"{p['requests']:,} | {p['errors']} | {p['p50_ms']} | {p['p95_ms']} | "
            f"{p['actions_p95_ms']} | {p['max_ms']} | {p['per_s']} | {r['server_cpu_ms']} | "
            f"{r['client_cpu_ms']} | {b['p50_ms']} | {b['p95_ms']} | {r['ratio_p50']}x | "
            f"{r['ratio_p95']}x | {r['load'][0]} to {r['load'][1]} | "
            f"{'yes' if r['scorecards_ok'] else 'NO'} |"
        )
    lines += ["", "By kind of request (p50 / p95 ms):", ""]
    for r in runs:
        kinds = ", ".join(
            f"{k} {v['p50_ms']} / {v['p95_ms']}" for k, v in r["portal"]["kinds"].items()
        )
        lines.append(f"- {label(r)}: {kinds}.")
    lines += [""]
    for r in runs:
        verdict = "met" if r["portal"]["p95_ms"] < 150 and r["portal"]["errors"] == 0 else "NOT met"
        if r["at_once"] != PortalSettings.at_once:
            verdict += " (not the default setting: for comparison)"
        lines.append(
            f"Target on {label(r)}: p95 under 150 ms with no error and every scorecard as "
            f"sent: {verdict if r['scorecards_ok'] else 'NOT met'}."
        )
        for problem in r["portal"]["problems"] + r["scorecard_problems"]:
            lines.append(f"- {problem}")
    lines += [
        "",
        "Where the time goes: nine of the ten actions per candidate write (a declaration, six "
        "drafts, two submission steps), each in its own transaction committed durably (SQLite "
        "with `synchronous=FULL`); the declaration and the confirmation also append an audit "
        "event, and write the audit checkpoint to disk once committed; the three pages opened "
        "after a redirect and the baseline only read. Each request first reads who is asking, "
        "their roles and the selections' workflows (the page's roles and menu) in one "
        "statement, on PostgreSQL outside any transaction, then does its work in one "
        "transaction "
        "(tests/web/test_request_cost.py holds every panelist request to its count of "
        "transactions and statements). A draft, the submit step and the kit read only the "
        "panelist's own seat, declaration and scorecard; the declaration and the confirmation "
        "read the whole panel, since they change the candidate's result, and hold the "
        "candidate's row until they commit, so the 20 panelists, who work through the "
        "candidates in the same order, take turns there, and every audit event takes its turn "
        "on the chain's one lock. What is left is the CPU of HTTP, the ORM and the pages, a "
        "few milliseconds a request (the server CPU column), and 20 panelists who each send "
        "the next request as soon as the last one answers queue for it: one process runs its "
        "Python on one core at a time, so on PostgreSQL the portal runs in several processes; "
        "on SQLite one process serves, its writers queued in turn (a busy SQLite would make "
        "them sleep and retry). With every request at work at once, a process shares its core "
        "among all 20 and a write waits for its lock behind the others, so some requests take "
        "several times the typical one; working on a few at once in arrival order "
        "(web/turns.py) spends the same CPU per request but answers each in about the same "
        "time, which is what the p95 column shows. The 2 cores are shared by the server, the database, the "
        "benchmark's own clients and whatever else runs: the load average column says how busy "
        "they were. Nothing is lost or doubled: every scorecard is one submitted version "
        "holding exactly the scores sent.",
        "",
        MARK_END,
    ]
    return "\n".join(lines)


def label(r: dict[str, Any]) -> str:
    processes = "process" if r["workers"] == 1 else "processes"
    return f"{r['backend']} ({r['workers']} server {processes}, {at_once_words(r)} at once)"


def at_once_words(r: dict[str, Any]) -> str:
    """How many requests each process works on at once: the setting, or all of them."""
    return "every request" if r["at_once"] >= ALL_AT_ONCE else str(r["at_once"])


def write_section(path: Path, text: str) -> None:
    """Put the section into the report, replacing an earlier one."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    if MARK_START in old and MARK_END in old:
        head, rest = old.split(MARK_START, 1)
        tail = rest.split(MARK_END, 1)[1]
        new = head + text + tail
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(new, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.portal", description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--postgres-workers", default="1,2")
    parser.add_argument("--panelists", type=int, default=20)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument(
        "--at-once",
        default=f"{PortalSettings.at_once},{ALL_AT_ONCE}",
        help="requests each server process works on at once (QUALIFY_PORTAL_AT_ONCE), "
        f"comma-separated; {ALL_AT_ONCE} lets every panelist's request in at once",
    )
    parser.add_argument("--output", type=Path, default=Path("docs/performance.md"))
    args = parser.parse_args()
    if not 1 <= args.panelists <= 20 or not 1 <= args.candidates <= 100:
        parser.error("--panelists from 1 to 20, --candidates from 1 to 100")
    try:
        pg_workers = [int(n) for n in args.postgres_workers.split(",")]
    except ValueError:
        parser.error("--postgres-workers: whole numbers, comma-separated (1,2)")
    if not all(1 <= n <= 8 for n in pg_workers):
        parser.error("--postgres-workers: from 1 to 8 each")
    try:
        at_once = [int(n) for n in args.at_once.split(",")]
    except ValueError:
        parser.error("--at-once: whole numbers, comma-separated (4,64)")
    if not all(1 <= n <= ALL_AT_ONCE for n in at_once):
        parser.error(f"--at-once: from 1 to {ALL_AT_ONCE} each")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    plan = []
    for backend in args.backends.split(","):
        if backend == "postgres" and not postgres_available():
            print("PostgreSQL is not reachable at 127.0.0.1:5432: skipping it", file=sys.stderr)
            continue
        workers = pg_workers if backend == "postgres" else [1]
        plan += [(backend, n, k) for n in workers for k in at_once]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend, workers, k in plan:
            print(
                f"portal load on {backend}, {workers} server process(es), {k} at once ...",
                file=sys.stderr,
            )
            folder = Path(tmp) / f"{backend}-{workers}-{k}"
            folder.mkdir()
            runs.append(run(backend, folder, args.panelists, args.candidates, workers, k))
            print(runs[-1], file=sys.stderr)
    text = section(runs)
    write_section(args.output, text)
    print(text)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0 if all(r["scorecards_ok"] and r["portal"]["errors"] == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
