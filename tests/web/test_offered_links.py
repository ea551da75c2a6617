"""A page offers only what its reader may use: every link and form on each sample user's
menu pages, followed as that user, answers anything but 403 "Not allowed"."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from qualify.web.app import create_app
from tests.helpers.builders import in_training, interviewed
from tests.helpers.portal_data import password_of, prepare, settings_for
from tests.web.conftest import csrf_of

pytestmark = pytest.mark.slow  # the sample selection, built twice (about 20 s)

# The users of the sample selection at the stage where their pages have the most on them.
AT_INTERVIEWS = ("hr.alvarez", "cmdr.obrien", "chief.walsh", "rep.chen")
IN_TRAINING = ("sgt.lambert", "cmdr.obrien", "chief.walsh", "hr.alvarez")


class Offers(HTMLParser):
    """The links (`href` on this site) and POST forms (action and hidden fields) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._open: tuple[str, dict[str, str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "a" and found.get("href", "").startswith("/"):
            self.links.append(found["href"].split("#")[0])
        elif tag == "form" and found.get("method", "get").lower() == "post":
            self._open = (found.get("action", ""), {})
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None and found.get("type") == "hidden":
            self._open[1][found.get("name", "")] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def offers(page: str) -> Offers:
    parser = Offers()
    parser.feed(page)
    parser.close()
    return parser


def _built(folder: Path, stage: Callable[..., object], users: tuple[str, ...]) -> Path:
    prepare(folder, stage=stage, passwords=users, hostile=False)
    return folder


@pytest.fixture(scope="module")
def at_interviews(tmp_path_factory: pytest.TempPathFactory, _audit_key: Path) -> Path:
    return _built(tmp_path_factory.mktemp("interviews"), interviewed, AT_INTERVIEWS)


@pytest.fixture(scope="module")
def at_training(tmp_path_factory: pytest.TempPathFactory, _audit_key: Path) -> Path:
    return _built(tmp_path_factory.mktemp("training"), in_training, IN_TRAINING)


def signed_in(template: Path, tmp_path: Path, user: str) -> TestClient:
    """A browser signed in as `user` on a copy of the prepared database."""
    folder = tmp_path / "site"
    shutil.copytree(template, folder)
    app = create_app(settings_for(folder))
    client = TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False)
    login = client.get("/login")
    answer = client.post(
        "/login",
        data={
            "username": user,
            "password": password_of(user),
            "csrf_token": csrf_of(login.text),
        },
    )
    assert answer.status_code == 303, f"{user} could not sign in"
    return client


def refused_offers(client: TestClient) -> list[str]:
    """Each link and form on the user's menu pages that answers 403, as `METHOD path (page)`."""
    home = client.get("/")
    assert home.status_code == 200
    menu = [link for link in offers(home.text).links if link != "/"]
    assert menu, "the home page offers no pages"
    refused: list[str] = []
    for entry in dict.fromkeys(menu):
        page = client.get(entry, follow_redirects=True)
        assert page.status_code == 200, f"{entry} answered {page.status_code}"
        found = offers(page.text)
        for link in dict.fromkeys(found.links):
            if client.get(link).status_code == 403:
                refused.append(f"GET {link} (on {entry})")
        posted: set[str] = set()
        for action, fields in found.forms:
            if action in posted or action == "/logout":
                continue
            posted.add(action)
            if client.post(action, data=fields).status_code == 403:
                refused.append(f"POST {action} {fields.get('packet', '')} (on {entry})".strip())
    return refused


@pytest.mark.parametrize("user", AT_INTERVIEWS)
def test_no_page_offers_a_refused_link_at_the_interviews(
    at_interviews: Path, tmp_path: Path, user: str
) -> None:
    assert refused_offers(signed_in(at_interviews, tmp_path, user)) == []


@pytest.mark.parametrize("user", IN_TRAINING)
def test_no_page_offers_a_refused_link_in_training(
    at_training: Path, tmp_path: Path, user: str
) -> None:
    assert refused_offers(signed_in(at_training, tmp_path, user)) == []


@pytest.mark.parametrize(
    ("user", "action"),
    [("sgt.lambert", "/training/courses?selection=1"), ("hr.alvarez", "/packet")],
)
def test_the_walk_in_training_meets_the_forms_for_an_officer_in_training(
    at_training: Path, tmp_path: Path, user: str, action: str
) -> None:
    """The training page's forms for the officer in training are among those followed: adding
    courses (those who direct training), the amended letter (those who receive it)."""
    page = signed_in(at_training, tmp_path, user).get("/selections/1/training")
    assert any(found.endswith(action) for found, _ in offers(page.text).forms), user
