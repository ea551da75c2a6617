"""What documents print, as pure rules: the appeal deadline, dates, names and values in words,
and the workflow keys that describe packets, letters and the appeal right."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from qualify.errors import WorkflowError
from qualify.workflow.documents import (
    appeal_deadline,
    field_value,
    local_date,
    long_date,
    record_reference,
    split_name,
    weekday_date,
)
from qualify.workflow.loader import load_path, load_text
from qualify.workflow.spec import AppealSpec, FieldSpec

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = (ROOT / "tests" / "data" / "minimal.yaml").read_text()
END = MINIMAL.count("\n")  # lines appended to it start at END + 1
TEN_BUSINESS = AppealSpec(days=10, business_days=True, to="the Chief")
MLK_2027 = frozenset({date(2027, 1, 18)})


def test_ten_business_days_skip_two_weekends_and_a_holiday() -> None:
    # Friday January 8, 2027: Jan 11-15 are five days, Monday the 18th is a holiday, 19-22
    # four more, so the tenth business day is Monday January 25.
    assert appeal_deadline(date(2027, 1, 8), TEN_BUSINESS, MLK_2027) == date(2027, 1, 25)
    assert appeal_deadline(date(2027, 1, 8), TEN_BUSINESS, frozenset()) == date(2027, 1, 22)


def test_a_decision_on_a_saturday_counts_from_the_next_monday() -> None:
    assert appeal_deadline(date(2027, 1, 9), TEN_BUSINESS, frozenset()) == date(2027, 1, 22)


def test_calendar_days_ending_on_a_weekend_or_holiday_move_to_the_next_business_day() -> None:
    rule = AppealSpec(days=10, business_days=False, to="the Chief")
    # January 1 + 10 = Monday January 11: a business day, kept.
    assert appeal_deadline(date(2027, 1, 1), rule, frozenset()) == date(2027, 1, 11)
    # January 6 + 10 = Saturday the 16th -> Sunday -> Monday the 18th is a holiday -> Tuesday.
    assert appeal_deadline(date(2027, 1, 6), rule, MLK_2027) == date(2027, 1, 19)


def test_the_letter_date_is_the_decision_day_in_the_selection_time_zone() -> None:
    late_evening = datetime(2027, 1, 9, 3, 30, tzinfo=UTC)  # 10:30 p.m. on the 8th in New York
    assert local_date(late_evening, "America/New_York") == date(2027, 1, 8)
    assert local_date(late_evening, "UTC") == date(2027, 1, 9)
    assert long_date(date(2027, 1, 8)) == "January 8, 2027"
    assert weekday_date(date(2027, 1, 25)) == "Monday, January 25, 2027"


def test_names_values_and_references_read_as_words() -> None:
    assert split_name("Reyes, Luis") == ("Luis", "Reyes")
    assert split_name("Zoë O'Brien-Nguyễn") == ("Zoë", "O'Brien-Nguyễn")
    assert field_value(FieldSpec(type="yes_no"), True) == "yes"
    assert field_value(FieldSpec(type="yes_no"), "False") == "no"
    assert field_value(FieldSpec(type="pass_fail"), "pass") == "pass"
    assert field_value(FieldSpec(type="date"), "2026-12-14") == "December 14, 2026"
    assert field_value(FieldSpec(type="choice", choices=["not_sustained"]), "not_sustained") == (
        "not sustained"
    )
    assert record_reference(1, 4, 94) == "S1-C4-E94"


def _problems(extra: str) -> list[str]:
    with pytest.raises(WorkflowError) as info:
        load_text(MINIMAL + extra, source="w.yaml")
    return info.value.problems


def test_a_printed_packet_needs_a_packet_kind() -> None:
    assert _problems("packets:\n  ok: [review]\n") == [
        f"w.yaml:{END + 2}: packets.ok[0]: packet 'review' has no entry under packet_kinds "
        "(its title and audience)"
    ]


def test_packet_kinds_name_known_roles_and_an_appeal_rule() -> None:
    problems = _problems(
        "packets:\n  ok: [notice]\n"
        "packet_kinds:\n"
        "  notice: {title: Notice, audience: [hr, bos], letter: true, appeal: true}\n"
    )
    assert problems == [
        f"w.yaml:{END + 4}: packet_kinds.notice.audience[1]: unknown role 'bos' "
        "(did you mean 'boss'?)",
        f"w.yaml:{END + 4}: packet_kinds.notice.appeal: the workflow has no top-level appeal: "
        "rule to state",
    ]


def test_time_zone_holidays_appeal_and_reason_codes_are_checked() -> None:
    text = MINIMAL.replace(
        "    roles: [hr]\n",
        "    roles: [hr]\n    notice_required: true\n    reason_codes: {Bad-Code: '  '}\n",
    )
    text += (
        "time_zone: America/Milford\n"
        "appeal: {days: 0, to: the Chief}\n"
        "holidays: [2027-01-18, 2027-01-18]\n"
    )
    with pytest.raises(WorkflowError) as info:
        load_text(text, source="w.yaml")
    joined = "\n".join(info.value.problems)
    assert "reason_codes.Bad-Code: reason code 'Bad-Code' must be lower_case" in joined
    assert "reason_codes.Bad-Code: write the text sent to the candidate" in joined
    assert "time_zone: unknown time zone 'America/Milford'" in joined
    assert "appeal.days: must be at least 1 (got 0)" in joined
    assert (
        "holidays[1]: 2027-01-18 is listed twice: holidays[0] (line 58) has it too; list each "
        "holiday once"
    ) in joined


def test_the_sro_workflow_describes_every_packet_it_prints() -> None:
    spec = load_path(ROOT / "workflows" / "sro-selection.yaml").spec
    printed = {t for names in spec.packets.values() for t in names}
    assert printed <= set(spec.packet_kinds)
    assert spec.packet_kinds["eligibility_review"].sensitive
    assert not spec.packet_kinds["interview_packet"].sensitive
    letters = {name for name, kind in spec.packet_kinds.items() if kind.letter}
    assert "acknowledgement_of_withdrawal" in letters
    assert {name for name, kind in spec.packet_kinds.items() if kind.appeal} == {
        "notice_ineligible",
        "notice_not_selected",
    }
    assert spec.appeal is not None
    assert spec.appeal.days == 10
    assert date(2027, 1, 18) in spec.holidays


def test_docs_show_a_picture_of_every_packet_kind_drawn_from_its_current_template() -> None:
    import importlib.util
    import json

    spec_ = importlib.util.spec_from_file_location("pictures", ROOT / "scripts/packet_pictures.py")
    assert spec_ is not None
    assert spec_.loader is not None
    pictures = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(pictures)
    manifest = json.loads((ROOT / "docs/pictures/manifest.json").read_text())
    page = (ROOT / "docs/packets.md").read_text()
    for kind in pictures.kinds():
        assert (ROOT / f"docs/pictures/{kind}.png").is_file(), kind
        assert f"(pictures/{kind}.png)" in page, kind
        # A template (or the style sheet, or a layout it extends) changed after its picture
        # was drawn: run `make pictures`.
        assert manifest[kind]["templates_sha256"] == pictures.template_digest(kind), (
            f"docs/pictures/{kind}.png is older than its template: run make pictures"
        )


def test_a_selection_frozen_before_packet_kinds_existed_still_loads() -> None:
    loaded = load_text(MINIMAL + "packets:\n  ok: [review]\n", source="frozen", fast=True)
    assert loaded.spec.packets == {"ok": ["review"]}
    assert loaded.spec.time_zone == "UTC"


def test_a_letter_is_the_same_for_every_reader_only_when_its_audience_sees_sensitive() -> None:
    from qualify.packets.context import letter_for_sensitive_audience
    from qualify.workflow.spec import PacketKindSpec

    spec = load_path(ROOT / "workflows" / "sro-selection.yaml").spec
    kinds = spec.packet_kinds
    # To HR and the Chief, who see sensitive records: it names the sensitive qualifications.
    assert letter_for_sensitive_audience(spec, kinds["notice_ineligible"])
    # Not a letter: each reader's copy withholds what their role may not see.
    assert not letter_for_sensitive_audience(spec, kinds["eligibility_review"])
    # A letter the commander (no sensitive records) also receives keeps them withheld.
    shared = PacketKindSpec(title="Notice", audience=["hr", "commander"], letter=True)
    assert not letter_for_sensitive_audience(spec, shared)
    assert not letter_for_sensitive_audience(
        spec, PacketKindSpec(title="N", audience=[], letter=True)
    )
