"""Removal and recall from the eligible list on the Chief's page, through an HTTP client: the
Chief removes the appointed officer (the kind of infraction required, refused beside its field
in the CLI's words otherwise) and recalls the next passing officer (with a reason), each as
`qualify advance` does; a commander may do neither. The portal's clock reads 20 September
2027, the day the demo removes its officer, so the eligible list (12 months from January 2027)
is valid whatever the real date."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import Result
from tests.helpers.builders import appointed
from tests.helpers.markup import undescribed
from tests.helpers.portal_data import Site, prepare, serving

pytestmark = pytest.mark.slow  # the sample selection is built once per module (about 10 s)

NOW = datetime(2027, 9, 20, 15, 0, tzinfo=UTC)
PAGE = "/selections/1/decisions"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data = prepare(tmp_path_factory.mktemp("removal"), stage=appointed, hostile=False)
    yield from serving(data, now=NOW)


def shown(site: Site, user: str, path: str) -> str:
    """The page at `path` as `user` sees it."""
    return site.browser(user).get(path).text


def moved(site: Site, user: str, employee: str, form: dict[str, str]) -> Any:
    """`user` sends the decisions page's form for one officer."""
    return site.browser(user).post(
        f"/candidates/{site.id(employee)}/advance", {"back": PAGE, **form}
    )


def section(page: str, site: Site, employee: str) -> str:
    return page.split(f'id="c{site.data.ids[employee]}"')[1].split("</section>")[0]


REMOVAL = {"trigger": "remove", "reason": "Disciplined a student instead of referring it."}


def test_a_commander_may_not_remove_the_officer(site: Site) -> None:
    answer = moved(site, "cmdr.obrien", "MPD-1042", {**REMOVAL, "category": "school_rule"})
    assert answer.status_code == 403
    assert (
        "Ann O'Brien (Department Commander) may not \"Remove from the position (infraction of "
        'policy, guideline, philosophy or school rule)" for Dana Whitfield: that needs the role '
        "Chief of Police"
    ) in html.unescape(answer.text)
    assert site.state("MPD-1042") == "appointed"


def test_a_removal_without_its_kind_of_infraction_is_refused_beside_it_in_the_clis_words(
    site: Site, cli: Callable[..., Result]
) -> None:
    whitfield = section(shown(site, "chief.walsh", PAGE), site, "MPD-1042")
    assert 'name="category"' in whitfield  # the removal form asks which kind
    answer = moved(site, "chief.walsh", "MPD-1042", REMOVAL)
    assert answer.status_code in (400, 409)
    form = section(answer.text, site, "MPD-1042")
    error = re.search(r'<p class="field-error" id="error-category-[^"]+">([^<]*)</p>', form)
    assert error, form
    said = cli(
        "--db", site.data.settings.database_url, "--as", "chief.walsh", "advance",
        str(site.data.ids["MPD-1042"]), "remove", "--reason", REMOVAL["reason"],
    )  # fmt: skip
    assert said.exit_code in (1, 2)
    assert html.unescape(error.group(1)) in said.stderr
    assert REMOVAL["reason"] in html.unescape(form)  # what was typed is kept
    assert undescribed(answer.text) == []
    assert site.state("MPD-1042") == "appointed"


def test_a_removal_sent_empty_says_both_what_is_missing_each_beside_its_input(
    site: Site,
) -> None:
    answer = moved(site, "chief.walsh", "MPD-1042", {"trigger": "remove", "reason": ""})
    assert answer.status_code == 400
    form = section(answer.text, site, "MPD-1042")
    said = dict(re.findall(r'<p class="field-error" id="error-(\w+)-\d+-remove">([^<]*)</p>', form))
    assert {k: html.unescape(v) for k, v in said.items()} == {
        "reason": "remove needs a reason, and it is recorded in the audit log",
        "category": ("remove needs a category, one of policy, guideline, philosophy, school_rule"),
    }
    assert undescribed(answer.text) == []
    assert site.state("MPD-1042") == "appointed"


def test_the_chief_removes_the_officer_then_recalls_the_next_from_the_list(site: Site) -> None:
    done = moved(site, "chief.walsh", "MPD-1042", {**REMOVAL, "category": "school_rule"})
    assert done.status_code == 303, done.text
    page = shown(site, "chief.walsh", done.headers["location"])
    assert "Recorded for Dana Whitfield: Remove from the position" in page
    assert "now at: Removed from the position." in page
    assert site.state("MPD-1042") == "removed"
    reyes = section(page, site, "MPD-1077")
    assert 'value="recall"' in reyes
    assert 'value="recall"' not in section(page, site, "MPD-1103")  # did not pass
    # The form as a browser sends it: the reason and the skip reason left empty.
    empty = {"trigger": "recall", "reason": "", "skip_reason": ""}
    refused = moved(site, "chief.walsh", "MPD-1077", empty)
    assert refused.status_code == 400
    assert re.search(r'id="error-reason-\d+-recall">[^<]*reason', refused.text)
    assert site.state("MPD-1077") == "not_selected"
    recalled = moved(
        site, "chief.walsh", "MPD-1077", {**empty, "reason": "The position is vacant."}
    )
    assert recalled.status_code == 303, recalled.text
    assert site.state("MPD-1077") == "selected"
