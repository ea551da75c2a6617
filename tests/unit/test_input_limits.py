"""Bounded reading of what users give: YAML limits, workflow number ranges, file types, safe CSV,
regular files only."""

from __future__ import annotations

import csv
import io
import os
import re
import time
import tracemalloc
from pathlib import Path

import pytest

from qualify.errors import BadInput, WorkflowError
from qualify.files import read_regular_file
from qualify.safecsv import csv_bytes, safe_cell
from qualify.safeyaml import safe_load
from qualify.workflow.filetypes import sniff
from qualify.workflow.loader import load_path, load_text

ROOT = Path(__file__).resolve().parents[2]
SRO = (ROOT / "workflows" / "sro-selection.yaml").read_text(encoding="utf-8")


def problems(text: str) -> list[str]:
    with pytest.raises(WorkflowError) as caught:
        load_text(text, source="w.yaml")
    return caught.value.problems


def alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_quickly_in_little_memory_with_a_short_message() -> None:
    tracemalloc.start()
    started = time.perf_counter()
    found = problems(alias_bomb(7))  # 9**8 = 43 million values once expanded
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2
    assert peak < 20 * 1024 * 1024
    assert found == [
        "w.yaml:6: stands for more than 100,000 values once its aliases are expanded "
        "(an alias bomb?)"
    ]


@pytest.mark.parametrize(
    "text",
    ["name: " + "[" * 5000 + "]" * 5000, "name: " + "{a: " * 2000 + "1" + "}" * 2000],
    ids=["lists", "mappings"],
)
def test_deeply_nested_yaml_is_refused_not_a_recursion_error(text: str) -> None:
    assert problems(text) == ["w.yaml:1: nested deeper than 64 levels"]


def test_an_alias_to_its_own_enclosing_node_is_refused() -> None:
    assert problems("a: &x [1, *x]\n") == ["w.yaml:1: an alias refers to a node that contains it"]


def test_frozen_text_parsed_by_libyaml_has_the_same_limits() -> None:
    """A selection's frozen text is parsed by the faster loader; text changed in the database
    must not make every command that reads it hang or overflow the stack."""
    with pytest.raises(WorkflowError, match="stands for more than 100,000 values"):
        load_text(alias_bomb(7), source="db", fast=True)
    with pytest.raises(WorkflowError, match="nested deeper than 64 levels|nesting depth"):
        load_text("a: " + "[" * 500 + "]" * 500, source="db", fast=True)
    with pytest.raises(WorkflowError, match="nested deeper than 64 levels"):
        load_text(
            "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 200)), source="db", fast=True
        )
    with pytest.raises(WorkflowError, match="an alias refers to a node that contains it"):
        load_text("a: &x [1, *x]\n", source="db", fast=True)
    assert load_text(SRO, source="db", fast=True).spec.name == "sro-selection"


def test_a_workflow_text_over_the_size_limit_is_refused_before_parsing() -> None:
    assert problems("#" * 1_000_001) == [
        "w.yaml: is 1,000,001 characters long; the limit is 1,000,000"
    ]


def test_ordinary_anchors_and_aliases_still_work() -> None:
    assert safe_load("a: &x {b: [1, 2]}\nc: *x\nd: [*x, *x]\n") == {
        "a": {"b": [1, 2]},
        "c": {"b": [1, 2]},
        "d": [{"b": [1, 2]}, {"b": [1, 2]}],
    }


@pytest.mark.parametrize(
    ("pattern", "replacement", "expected"),
    [
        (r"weight: [0-9.]+", "weight: .inf", "weight: input should be a finite number (got inf)"),
        (r"weight: [0-9.]+", "weight: 1000", "weight: input should be less than or equal to 100"),
        (r"pass_mark: [0-9.]+", "pass_mark: .nan", "pass_mark: input should be a finite number"),
        (
            r"years: [0-9]+",
            "years: 1000000",
            "params.years: input should be less than or equal to 60 (got 1000000)",
        ),
        (r"max_age_days: [0-9]+", "max_age_days: 99999999", "less than or equal to 3660"),
        (
            r"disagreement_threshold: [0-9]+",
            "disagreement_threshold: 1000000000",
            "disagreement_threshold: input should be less than or equal to 100",
        ),
        (r"count: 2", "count: 100000", "count: input should be less than or equal to 20"),
        (r"scale_max: 5", "scale_max: 100000", "scale_max: input should be less than or equal"),
    ],
)
def test_workflow_numbers_out_of_their_documented_range_are_refused_with_their_line(
    pattern: str, replacement: str, expected: str
) -> None:
    text, n = re.subn(pattern, replacement, SRO, count=1)
    assert n == 1
    line = text[: text.index(replacement)].count("\n") + 1
    found = problems(text)
    assert any(p.startswith(f"w.yaml:{line}: ") and expected in p for p in found), found


def test_a_state_name_longer_than_its_column_is_refused() -> None:
    long = "s" * 51
    text = SRO.replace("  nominated:\n", f"  {long}:\n", 1)
    assert any("should have at most 50 characters" in p for p in problems(text))


def test_a_key_of_digits_that_are_not_ascii_is_an_ordinary_key() -> None:
    # "¹".isdigit() is true, but int("¹") fails: found by the fuzz test.
    assert problems("¹: null\n")[0].startswith("w.yaml:1: ")


@pytest.mark.slow
def test_an_error_never_echoes_a_huge_value() -> None:
    text = SRO.replace("version:", "version: [" + ",".join(["1"] * 50_000) + "]\nold_version:", 1)
    assert all(len(p) < 300 for p in problems(text))


def test_accept_names_known_file_types_and_only_on_file_fields() -> None:
    text = SRO.replace("accept: [pdf, png, jpeg]", "accept: [pdf, exe]")
    assert any("accept[1]" in p and "'exe'" in p for p in problems(text))
    text = SRO.replace("        type: date\n", "        type: date\n        accept: [pdf]\n", 1)
    assert any(p.endswith("accept: only for type file") for p in problems(text))


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\x89PNG\r\n\x1a\n....", "png"),
        (b"\xff\xd8\xff\xe0..JFIF", "jpeg"),
        (b"GIF89a...", "gif"),
        (b"II*\x00....", "tiff"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"Dear Chief, I recommend Officer Ruiz.\n", "text"),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),  # a Windows program
        (b"\x7fELF\x02\x01\x01", None),
        (b"", None),
    ],
)
def test_file_types_are_recognised_by_content(data: bytes, kind: str | None) -> None:
    assert sniff(data) == kind


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\r=1"])
def test_csv_cells_that_a_spreadsheet_would_run_are_written_as_text(value: str) -> None:
    assert safe_cell(value) == "'" + value


def test_the_csv_writer_keeps_ordinary_values_and_numbers() -> None:
    data = csv_bytes(
        ["id", "name", "note"],
        [[1, "Ruiz, Ana", '=HYPERLINK("http://x","y")'], [-2, "O'Brien", None]],
    )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows == [
        ["id", "name", "note"],
        ["1", "Ruiz, Ana", '\'=HYPERLINK("http://x","y")'],
        ["-2", "O'Brien", ""],
    ]


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(BadInput, match="is a pipe \\(FIFO\\), not a regular file"):
        read_regular_file(fifo, label="x", limit=100)


def test_a_device_and_a_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="is a device"):
        read_regular_file(Path("/dev/zero"), label="x", limit=100)
    with pytest.raises(BadInput, match="is a folder"):
        read_regular_file(tmp_path, label="x", limit=100)


def test_a_symlink_is_refused_where_asked(tmp_path: Path) -> None:
    target = tmp_path / "a.pdf"
    target.write_bytes(b"%PDF-1.4")
    link = tmp_path / "b.pdf"
    link.symlink_to(target)
    assert read_regular_file(link, label="x", limit=100) == b"%PDF-1.4"
    with pytest.raises(BadInput, match="is a symbolic link"):
        read_regular_file(link, label="x", limit=100, follow_symlinks=False)


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(BadInput, match="x: is 2 KB; the limit is 1 KB"):
        read_regular_file(big, label="x", limit=1024)


def test_a_workflow_path_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "w.yaml"
    os.mkfifo(fifo)
    with pytest.raises(WorkflowError, match="is a pipe"):
        load_path(fifo)


def test_no_module_writes_csv_except_through_the_safe_writer() -> None:
    writes = re.compile(r"csv\.(writer|DictWriter)\(|^from csv import", re.MULTILINE)
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "src").rglob("*.py")
        if path.name != "safecsv.py" and writes.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
