"""The packet benchmark: our rendering against bare WeasyPrint, --jobs 2 against --jobs 1, and
memory over many packets."""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session
from tests.helpers.actors import as_user

from benchmarks.common import current_rss_mib, database, register_users, use_audit_key
from benchmarks.scale import USERS, _evidence_rows, _roster
from qualify.config import PROJECT_ROOT, Settings
from qualify.packets.context import build_context
from qualify.packets.files import entering_event, render
from qualify.packets.render import PDF_VARIANT, html_to_pdf, render_html, template_names
from qualify.services.advance import advance
from qualify.services.candidates import import_roster
from qualify.services.packets import print_selection
from qualify.services.selections import open_selection
from qualify.store import db
from qualify.store.tables import Candidate, Evidence

TEMPLATES = PROJECT_ROOT / "templates"


def _setup(url: str, folder: Path, n: int) -> list[int]:
    """n eligible candidates, each with an eligibility review to print."""
    engine = db.make_engine(url)
    db.upgrade(engine)
    use_audit_key(folder)
    settings = Settings.from_env(
        {"QUALIFY_WORKFLOWS": str(PROJECT_ROOT / "workflows")}, database_url=url
    )
    with Session(engine, expire_on_commit=False) as s:
        register_users(s, settings.workflows_dir, USERS)
        selection = open_selection(
            session=s,
            settings=settings,
            title="Packets",
            workflow="sro-selection",
            as_of=date(2027, 1, 15),
            actor=as_user("hr1"),
        )
        roster = folder / "roster.csv"
        _roster(roster, n)
        import_roster(session=s, selection_id=selection.id or 0, path=roster, actor=as_user("hr1"))
        ids = list(s.execute(select(Candidate.id).order_by(Candidate.id)).scalars())  # type: ignore[arg-type]
        s.execute(insert(Evidence), _evidence_rows(ids))
        s.commit()
        for cid in ids:
            advance(session=s, candidate_id=cid, trigger="begin_screening", actor=as_user("hr1"))
            advance(session=s, candidate_id=cid, trigger="confirm_eligible", actor=as_user("cmdr1"))
    engine.dispose()
    return ids


def _interleaved(rounds: int, work: dict[str, Callable[[], object]]) -> dict[str, list[float]]:
    """The CPU time of each piece of work in each round; the pieces take turns within a round
    (in a rotating order), so that a machine that slows down or speeds up weighs on them all
    alike. CPU time, not wall time: all of it runs in this process (SQLite included), and
    other programs on a busy machine disturb it less."""
    for do in work.values():  # warm up: fonts, templates, caches
        do()
    spent: dict[str, list[float]] = {name: [] for name in work}
    names = list(work)
    for i in range(rounds):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            gc.collect()  # each starts with no garbage left by the one before
            start = time.process_time()
            work[name]()
            spent[name].append(time.process_time() - start)
    return spent


def run(
    folder: Path, *, jobs_packets: int = 200, memory_packets: int = 1000, rounds: int = 40
) -> dict[str, Any]:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    with database("sqlite", folder) as url:
        ids = _setup(url, folder, jobs_packets)
        engine = db.make_engine(url)
        with Session(engine, expire_on_commit=False) as s:
            candidate = s.get(Candidate, ids[0])
            assert candidate is not None
            event = entering_event(s, ids[0], "eligible")
            needs = template_names(TEMPLATES, "eligibility_review")

            def context() -> dict[str, Any]:
                return build_context(
                    s,
                    candidate,
                    "eligible",
                    "eligibility_review",
                    event,
                    needs,
                    viewer_sensitive=True,
                )

            built = context()
            html = render_html(TEMPLATES, "eligibility_review", built)
            base = TEMPLATES.resolve().as_uri() + "/"
            # The baseline: WeasyPrint alone on the same HTML with the options qualify passes
            # (tagged PDF/A-3b, no attachments, compressed), and, like qualify, one font
            # configuration for the whole run (WeasyPrint's default makes one per document).
            fonts = FontConfiguration()
            same = {
                "pdf_variant": PDF_VARIANT,
                "pdf_tags": True,
                "attachments": [],
                "uncompressed_pdf": False,
                "font_config": fonts,
            }
            with warnings.catch_warnings():
                # WeasyPrint leaves its sRGB profile for PDF/A to the garbage collector.
                warnings.simplefilter("ignore", ResourceWarning)
                spent = _interleaved(
                    rounds,
                    {
                        "ours": lambda: render(
                            s,
                            TEMPLATES,
                            candidate,
                            "eligible",
                            "eligibility_review",
                            event,
                            viewer_sensitive=True,
                        ),
                        "bare": lambda: HTML(string=html, base_url=base).write_pdf(**same),
                        "bare_default": lambda: HTML(string=html, base_url=base).write_pdf(
                            font_config=fonts
                        ),
                        "context": context,
                        "jinja": lambda: render_html(TEMPLATES, "eligibility_review", built),
                        "pdf": lambda: html_to_pdf(html, TEMPLATES),
                    },
                )
            medians = {name: statistics.median(times) for name, times in spent.items()}
            # Each round's packet against the same round's bare render: the pairs share the
            # machine's state, so their ratio varies less than the times themselves.
            paired = [o / b for o, b in zip(spent["ours"], spent["bare"], strict=True)]
            s.rollback()

            timings = {}
            for jobs in (1, 2):
                start = time.perf_counter()
                written = print_selection(
                    session=s,
                    templates_dir=TEMPLATES,
                    output_dir=folder / f"jobs{jobs}",
                    selection_id=1,
                    actor=as_user("hr1"),
                    jobs=jobs,
                )
                timings[jobs] = time.perf_counter() - start
                assert len(written) == jobs_packets

            samples = {}
            start_rss = current_rss_mib()
            for i in range(1, memory_packets + 1):
                cid = ids[i % len(ids)]
                c = s.get(Candidate, cid)
                assert c is not None
                render(
                    s,
                    TEMPLATES,
                    c,
                    "eligible",
                    "eligibility_review",
                    entering_event(s, cid, "eligible"),
                    viewer_sensitive=True,
                )
                s.rollback()
                if i in (100, 250, 500, 750, 1000) or i == memory_packets:
                    samples[i] = round(current_rss_mib(), 1)
        engine.dispose()
    return {
        "rounds": rounds,
        "render_ms": {
            "qualify, whole packet (records, Jinja, tagged PDF/A, safe fetcher)": _ms(
                medians["ours"]
            ),
            "its parts alone: context from the records": _ms(medians["context"]),
            "its parts alone: Jinja": _ms(medians["jinja"]),
            "its parts alone: PDF step (same HTML)": _ms(medians["pdf"]),
            "bare WeasyPrint, same HTML, same options (tagged PDF/A-3b)": _ms(medians["bare"]),
            "bare WeasyPrint, same HTML, default options": _ms(medians["bare_default"]),
        },
        "overhead_vs_bare_same_options": round(statistics.median(paired) - 1, 3),
        "overhead_of_medians": round(medians["ours"] / medians["bare"] - 1, 3),
        "pdfa_cost_vs_default": round(medians["bare"] / medians["bare_default"] - 1, 3),
        "jobs": {
            "packets": jobs_packets,
            "jobs1_s": round(timings[1], 2),
            "jobs2_s": round(timings[2], 2),
            "speedup": round(timings[1] / timings[2], 2),
        },
        "memory": {"start_rss_mib": round(start_rss, 1), "rss_mib_after": samples},
    }


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(
            json.dumps(
                run(Path(tmp), jobs_packets=int(sys.argv[1]), memory_packets=int(sys.argv[2])),
                indent=2,
            )
        )
