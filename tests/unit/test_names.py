"""Names as text: splitting one name field, the display form, refused characters, look-alikes."""

from __future__ import annotations

import unicodedata

import pytest

from qualify.names import clean, display_name, skeleton, split_name, text_problem
from qualify.services.roster import candidate_values


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Reyes, Luis", ("Luis", "Reyes")),
        ("  O'Brien-Nguyễn ,  Zoë ", ("Zoë", "O'Brien-Nguyễn")),
        ("Dana Whitfield", ("Dana", "Whitfield")),
        ("Ann Marie Lee", ("Ann Marie", "Lee")),
        ("Cher", ("", "Cher")),
    ],
)
def test_one_name_field_splits_into_given_and_family_name(
    given: str, expected: tuple[str, str]
) -> None:
    assert split_name(given) == expected


def test_names_are_stored_composed_so_combining_marks_print_as_one_glyph() -> None:
    typed = unicodedata.normalize("NFD", "Zoë O'Brien-Nguyễn")
    assert len(typed) > len("Zoë O'Brien-Nguyễn")
    assert clean(typed) == "Zoë O'Brien-Nguyễn"
    assert display_name(" Zoë ", "O'Brien-Nguyễn") == "Zoë O'Brien-Nguyễn"


def test_a_roster_row_gets_both_names_and_the_display_form() -> None:
    values, problems = candidate_values({"employee_id": "E1", "name": "Reyes, Luis"})
    assert problems == []
    assert (values["first_name"], values["last_name"], values["name"]) == (
        "Luis",
        "Reyes",
        "Luis Reyes",
    )
    values, problems = candidate_values(
        {"employee_id": "E2", "first_name": "Zoë", "last_name": "O'Brien-Nguyễn"}
    )
    assert problems == []
    assert values["name"] == "Zoë O'Brien-Nguyễn"
    _, problems = candidate_values({"employee_id": "E3", "first_name": "Zoë"})
    assert problems == [("last_name", "is empty; it is required")]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Ann\x1b[31m Lee", "U+001B"),  # an ANSI colour escape
        ("Ann \u202eeeL", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("An\u200bn", "U+200B ZERO WIDTH SPACE"),
        ("Ann\u2028Lee", "U+2028 LINE SEPARATOR"),
        ("Ann\nLee", "U+000A"),
    ],
)
def test_control_and_invisible_characters_are_refused_by_name(text: str, named: str) -> None:
    problem = text_problem(text)
    assert problem is not None
    assert named in problem


def test_ordinary_names_of_many_languages_pass() -> None:
    for name in ["Zoë O'Brien-Nguyễn", "Łukasz Żółć", "Đặng Thị Hương", "José Müller", "李小龙"]:
        assert text_problem(name) is None


@pytest.mark.parametrize(
    "lookalike",
    [
        "\u0430nn",  # Cyrillic a
        "ann\u0435",  # ... and an e, against anne below
        "\uff21\uff2e\uff2e",  # fullwidth: NFKC-equivalent
        "Ann",
        "\u0391nn",  # Greek capital alpha
    ],
)
def test_look_alike_user_names_share_a_skeleton(lookalike: str) -> None:
    target = "anne" if lookalike.endswith("\u0435") else "ann"
    assert skeleton(lookalike) == skeleton(target)


def test_different_names_have_different_skeletons() -> None:
    assert skeleton("ann") != skeleton("anne")
    assert skeleton("cmdr.lee") != skeleton("cmdr.le")
