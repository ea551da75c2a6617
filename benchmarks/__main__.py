"""`make bench`: run the benchmarks and write docs/performance.md.

python -m benchmarks [--candidates N] [--backends sqlite,postgres] [--packets 200]
                     [--memory-packets 1000] [--output docs/performance.md]

`--backends none` skips the scale benchmark and `--packets 0` the packet one; a part not
measured keeps its section of the existing report.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import packets, scale
from benchmarks.common import postgres_available


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--packets", type=int, default=200)
    parser.add_argument("--memory-packets", type=int, default=1000)
    parser.add_argument("--output", type=Path, default=Path("docs/performance.md"))
    args = parser.parse_args()
    results: dict[str, Any] = {"scale": [], "packets": None}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in [b for b in args.backends.split(",") if b not in ("", "none")]:
            if backend == "postgres" and not postgres_available():
                print("PostgreSQL is not reachable at 127.0.0.1:5432: skipping it", file=sys.stderr)
                continue
            print(
                f"scale benchmark on {backend}, {args.candidates} candidates ...", file=sys.stderr
            )
            results["scale"].append(scale.run(backend, args.candidates, Path(tmp)))
            print(json.dumps(results["scale"][-1], indent=2), file=sys.stderr)
        if args.packets:
            print("packet benchmark ...", file=sys.stderr)
            results["packets"] = packets.run(
                Path(tmp), jobs_packets=args.packets, memory_packets=args.memory_packets
            )
            print(json.dumps(results["packets"], indent=2), file=sys.stderr)
    previous = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    text = keep_portal_section(report(results, previous), previous)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def keep_portal_section(text: str, previous: str) -> str:
    """The report, with the portal load section of the one it replaces (that benchmark,
    `python -m benchmarks.portal`, rewrites its section alone), once, at the end."""
    from benchmarks.portal import MARK_END, MARK_START

    def cut(doc: str) -> tuple[str, str]:
        if MARK_START not in doc or MARK_END not in doc:
            return doc, ""
        start, end = doc.index(MARK_START), doc.index(MARK_END) + len(MARK_END)
        return doc[:start].rstrip("\n") + "\n" + doc[end:].lstrip("\n"), doc[start:end]

    text, _ = cut(text)
    _, kept = cut(previous)
    return text.rstrip("\n") + "\n\n" + kept + "\n" if kept else text


PACKETS = "## Packets\n"


def report(results: dict[str, Any], previous: str = "") -> str:
    """The report; a part this run did not measure is taken from the previous one."""
    before, _, packets_part = previous.partition(PACKETS)
    kept = before.rstrip("\n")
    scale_part = _scale(results) if results["scale"] or not kept else kept + "\n"
    if results["packets"]:
        packets_part = _packets(results["packets"])
    elif packets_part:
        packets_part = PACKETS + packets_part
    return scale_part + ("\n" + packets_part if packets_part else "")


def _scale(results: dict[str, Any]) -> str:
    lines = [
        "# Performance",
        "",
        "Measured by `make bench` (`python -m benchmarks`), which rewrites this file. Every engine",
        "stage is timed beside a raw baseline in the same run: bare SQLAlchemy reads, inserts and",
        "updates of the same rows on a twin database with the same schema, with one transaction per",
        "command where qualify uses one per command. The stages that run a command per candidate",
        "(advance, score) alternate qualify and the baseline in 40 slices of the same work, so a",
        "machine that slows down or speeds up during the run weighs on both alike.",
        "`python -m benchmarks --backends none` measures the packets alone and keeps the",
        "sections before them.",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, Python {platform.python_version()},"
        " 2 cores.",
        "",
    ]
    for run in results["scale"]:
        lines += [
            f"## {run['candidates']:,} candidates on {run['backend']}",
            "",
            "| stage | operations | qualify s | raw s | qualify ops/s | raw ops/s | ratio |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {s['stage']} | {s['operations']:,} | {s['engine_s']} | {s['raw_s']} | "
            f"{s['engine_per_s']:,} | {s['raw_per_s']:,} | {s['ratio']}x |"
            for s in run["stages"]
        ]
        worst = max(run["stages"], key=lambda s: s["ratio"])
        cli = run["cli_s"]
        slowest = max(t["median"] for t in cli.values())
        lines += [
            "",
            f"Largest ratio: {worst['ratio']}x ({worst['stage']}); the target is 3x or less.",
            "",
            "Commands over the whole selection, in a fresh process (start-up included), the "
            "median of five runs after a first one: "
            f"`candidate list --json` {cli['candidate list']['median']} s (first run "
            f"{cli['candidate list']['first']} s), `results --json` {cli['results']['median']} s "
            f"(first run {cli['results']['first']} s); the target is under 1 s "
            f"({'met' if slowest < 1 else 'not met'}). Peak memory of the benchmark process: "
            f"{run['peak_rss_mib']} MiB.",
            "",
        ]
    return "\n".join(lines)


def _packets(p: dict[str, Any]) -> str:
    jobs = p["jobs"]
    rss = ", ".join(f"{n}: {v} MiB" for n, v in p["memory"]["rss_mib_after"].items())
    overhead = p["overhead_vs_bare_same_options"]
    lines = [
        PACKETS.rstrip("\n"),
        "",
        f"Measured on {datetime.now(UTC):%Y-%m-%d}. One eligibility review, rendered by qualify "
        "and by bare WeasyPrint (`HTML(string=html, base_url=...).write_pdf(...)`) on the HTML "
        "qualify made for it, with the options qualify passes (tagged PDF/A-3b, no attachments, "
        "compressed) and, as qualify does, one font configuration for the run. The kinds of "
        f"work take turns in each of {p['rounds']} rounds; each figure is the median of the "
        "process's CPU time (all of the work runs in the process, SQLite included); the parts "
        "are timed on their own, so they need not add up to the whole.",
        "",
        "| rendering one eligibility review | median ms |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in p["render_ms"].items()]
    lines += [
        "",
        f"qualify's overhead over bare WeasyPrint with the same options: {overhead:.1%} for the "
        "whole packet (reading the records, Jinja, the safe fetcher), the median over the "
        "rounds of the packet's time over the bare render's in the same round "
        f"({p['overhead_of_medians']:.1%} from the medians above); the target is under 10% "
        f"({'met' if overhead < 0.10 else 'not met'}). Tagged PDF/A itself costs "
        f"{p['pdfa_cost_vs_default']:.1%} over WeasyPrint's defaults.",
        "",
        f"`packet --selection` on {jobs['packets']} packets: {jobs['jobs1_s']} s with `--jobs 1`, "
        f"{jobs['jobs2_s']} s with `--jobs 2`: {jobs['speedup']}x (wall time, so it depends on "
        "how many cores are free during the run).",
        "",
        f"Resident memory while rendering packets one after another in one process (start "
        f"{p['memory']['start_rss_mib']} MiB): {rss}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
