"""`qualify position brief`: the one-page funding brief for the school board."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result, hr_and_commander


@pytest.fixture
def q(cli: Callable[..., Result], tmp_path: Path) -> Callable[..., Result]:
    """A database with HR, a commander and the SRO selection open."""
    url = f"sqlite:///{tmp_path / 'q.db'}"
    run = hr_and_commander(cli, url)
    opened = run(
        "selection", "open", "SRO 2027", "--workflow", "sro-selection", "--as-of", "2027-01-15"
    )
    assert opened.exit_code == 0, opened.stderr
    return run


def test_the_brief_is_one_page_with_each_options_cost_and_rule(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    pdf = tmp_path / "brief.pdf"
    done = q("position", "brief", "1", "-o", str(pdf))
    assert done.exit_code == 0, done.stderr
    assert (
        "02. The school district pays its proportionate share (180 of 260 days): "
        "$80,500 to $99,400" in done.stdout
    )
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "Pages:           1" in info.stdout
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(text.split())
    for shown in (
        "Funding the School Resource Officer position",
        "$115,000 to $142,000",
        "$80,500 to $99,400",
        "$50,400",
        "180 of 260 days is 69.2%, rounded to 70%: 70% \u00d7 $115,000 = $80,500 and 70% "
        "\u00d7 $142,000 = $99,400.",
        "180 school days \u00d7 8 hours \u00d7 $35 an hour = $50,400.",
        "Role limited to security and accountable to a private employer.",
        "Requires partnership with the Police Department.",
        "04. Status quo $0",
    ):
        assert shown in text, shown
    # Under the Milford letterhead, no other town's district or department (the seed's
    # funding section came from SAU 63 and the Wilton Police Department).
    assert "Milford Police Department in partnership with the Milford School" in text
    assert set(re.findall(r"(\w+) Police Department", text)) <= {"Milford", "the"}
    assert "SAU" not in text
    assert "Wilton" not in text
    # Rendered to a picture, the page is the whole brief.
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert [p.name for p in tmp_path.glob("page*.png")] == ["page-1.png"]


def test_the_json_gives_each_option_in_whole_dollars(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    import json

    done = q("position", "brief", "1", "--json")
    assert done.exit_code == 0, done.stderr
    # --json prints JSON only: no PDF in the working folder unless -o names one.
    assert list(tmp_path.glob("*.pdf")) == []
    assert json.loads(done.stdout)["file"] is None
    named = q("position", "brief", "1", "--json", "-o", str(tmp_path / "b.pdf"))
    assert json.loads(named.stdout)["file"] == str(tmp_path / "b.pdf")
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")
    options = {o["id"]: (o["low"], o["high"]) for o in json.loads(done.stdout)["options"]}
    assert options == {
        "01": (115000, 142000),
        "02": (80500, 99400),
        "03": (50400, 50400),
        "04": (0, 0),
    }


def test_who_may_print_it_and_bad_input(q: Callable[..., Result], tmp_path: Path) -> None:
    refused = q("position", "brief", "1", user="cmdr1")
    assert refused.exit_code == 1
    assert (
        "cmdr1 (Department Commander) may not print the position brief: that needs the role "
        "Human Resources or Chief of Police"
    ) in refused.stderr
    missing = q("position", "brief", "9")
    assert missing.exit_code == 2
    assert "no selection 9" in missing.stderr
    folder = q("position", "brief", "1", "-o", str(tmp_path))
    assert folder.exit_code == 2
    assert f"-o: {tmp_path} is a folder; name a file" in folder.stderr
    assert not list(tmp_path.glob("*.pdf"))


def test_an_existing_file_is_replaced_only_with_force(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(b"the board's annotated copy")
    kept = q("position", "brief", "1", "-o", str(pdf))
    assert kept.exit_code == 2
    assert kept.stderr == (
        f"error: -o: {pdf} exists; name a new file, or give --force to replace it\n"
    )
    assert pdf.read_bytes() == b"the board's annotated copy"
    assert q("position", "brief", "1", "-o", str(pdf), "--force").exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
