"""Every glyph of a name prints: the packet fonts cover Latin Extended and Vietnamese, and a
packet for "Zoë O'Brien-Nguyễn" carries her name in the embedded DejaVu fonts, not a fallback."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from sqlmodel import Session

from qualify.config import Settings
from qualify.services import candidates, selections, users
from qualify.services.advance import advance
from qualify.services.firing import PacketPlace
from tests.helpers.actors import as_user

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
NAME = "Zoë O'Brien-Nguyễn"
# Every letter of Latin Extended-A, and Vietnamese's letters from Latin Extended Additional.
LATIN_EXTENDED_A = [chr(c) for c in range(0x0100, 0x0180)]
VIETNAMESE = [chr(c) for c in range(0x1EA0, 0x1EFA)] + list("ĂăÂâĐđÊêÔôƠơƯư")
OTHER_NAMES = ["Łukasz Żółć", "Đặng Thị Hương", "Şükrü Çağlar", "Ștefan Țurcanu", "Bjørn Ødegård"]


def css_families() -> list[str]:
    css = (TEMPLATES / "packet.css").read_text(encoding="utf-8")
    return sorted(set(re.findall(r'"(DejaVu [A-Za-z ]+)"', css)))


@pytest.mark.parametrize("style", ["regular", "bold", "italic", "bold:italic"])
def test_the_packet_fonts_cover_latin_extended_and_vietnamese_in_every_style(style: str) -> None:
    families = css_families()
    assert families == ["DejaVu Sans", "DejaVu Serif"]
    wanted = set(LATIN_EXTENDED_A + VIETNAMESE + list(NAME) + list("".join(OTHER_NAMES)))
    wanted.discard(" ")
    for family in families:
        pattern = family if style == "regular" else f"{family}:{style}"
        found = subprocess.run(
            ["fc-match", "-f", "%{family}|%{file}", pattern],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        matched, file = found.split("|", 1)
        # The face itself is installed (fonts-dejavu-extra holds the italics), not a substitute.
        assert family in matched.split(","), f"{pattern} resolves to {matched} ({file})"
        assert ("Bold" in file) == ("bold" in style), file
        assert ("Italic" in file or "Oblique" in file) == ("italic" in style), file
        with TTFont(file, lazy=True) as font:
            cmap = font.getBestCmap()
        missing = sorted(c for c in wanted if ord(c) not in cmap)
        assert missing == [], f"{file} lacks {' '.join(missing)}"


def test_a_packet_prints_every_glyph_of_a_name(settings: Settings, session: Session) -> None:
    users.create_admin(
        session=session, workflows_dir=settings.workflows_dir, actor=as_user("hr1"), roles=["hr"]
    )
    users.add_user(
        session=session,
        workflows_dir=settings.workflows_dir,
        name="cmdr1",
        roles=["commander"],
        full_name="Ann O'Brien",
        title="Captain, Support Division Commander",
        actor=as_user("hr1"),
    )
    selection = selections.open_selection(
        session=session,
        settings=settings,
        title="SRO",
        workflow="sro-selection",
        as_of=date(2026, 11, 16),  # passed: checks only pending may be declared
        actor=as_user("hr1"),
    )
    assert selection.id is not None
    typed = unicodedata.normalize("NFD", NAME)  # as some keyboards send it: combining marks
    zoe = candidates.add_candidate(
        session=session,
        selection_id=selection.id,
        values={"employee_id": "E1", "first_name": typed.split()[0], "last_name": typed.split()[1]},
        actor=as_user("hr1"),
    )
    assert zoe.id is not None
    assert zoe.name == NAME
    out = settings.output_dir
    place = PacketPlace(TEMPLATES, out)
    advance(session=session, candidate_id=zoe.id, trigger="begin_screening", actor=as_user("hr1"))
    advance(
        session=session,
        candidate_id=zoe.id,
        trigger="declare_ineligible",
        actor=as_user("cmdr1"),
        reason="no records on file",
        reason_code="records_incomplete",
        packets=place,
    )
    pdfs = sorted(out.rglob("*.pdf"))
    assert pdfs, "declaring ineligible prints packets"
    for pdf in pdfs:
        reader = PdfReader(io.BytesIO(pdf.read_bytes()))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert NAME in unicodedata.normalize("NFC", text), pdf.name
        fonts = {
            str(font.get_object()["/BaseFont"])
            for page in reader.pages
            for font in page["/Resources"]["/Font"].values()
        }
        # Subset prefixes aside (ABCDEF+DejaVu-Serif), only DejaVu faces: no fallback font.
        assert fonts
        assert all(f.split("+", 1)[-1].startswith("DejaVu") for f in fonts), fonts
