"""The adverse-impact report as a PDF, from templates/fairness_report.html."""

from __future__ import annotations

from pathlib import Path

from qualify.packets.render import html_to_pdf, render_html, w3c_time
from qualify.services.fairness import FairnessReport
from qualify.workflow.fairness import DIMENSIONS, FOUR_FIFTHS, SIGNIFICANCE


def report_pdf(report: FairnessReport, templates_dir: Path) -> bytes:
    """PDF bytes of the report; the same report gives the same bytes."""
    context = {
        "report": report,
        "names": DIMENSIONS,
        "four_fifths": FOUR_FIFTHS,
        "significance": SIGNIFICANCE,
        "created": w3c_time(report.generated_at),
        "generated": report.generated_at.strftime("%B %-d, %Y %H:%M UTC"),
    }
    return html_to_pdf(render_html(templates_dir, "fairness_report", context), templates_dir)
