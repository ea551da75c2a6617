"""Signing in to the portal: sessions, lockout, CSRF, security headers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime

import pytest
from starlette.testclient import TestClient

from qualify.config import Settings
from qualify.web.app import create_app
from qualify.web.auth import COOKIE, safe_next
from qualify.web.security import HEADERS
from tests.web.conftest import PASSWORDS, Clock, csrf_of, events, sign_in

WRONG = "wrong user name or password"


def test_healthz_answers_without_a_session(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok\n"
    assert COOKIE not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize("path", ["/healthz", "/login", "/no-such-page", "/static/portal.css", "/"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    for name, value in HEADERS.items():
        assert response.headers[name] == value, (path, name)
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_a_page_without_a_session_redirects_to_sign_in(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2F"


def test_sign_in_rotates_the_session_id_and_the_old_one_is_worthless(
    make_client: Callable[[], TestClient],
) -> None:
    browser = make_client()
    browser.get("/login")
    before = browser.cookies[COOKIE]
    assert sign_in(browser, "rep.chen") == "/"
    after = browser.cookies[COOKIE]
    assert after != before
    assert browser.get("/").status_code == 200
    # Whoever knew the id from before sign-in (a fixed session) is not signed in with it.
    attacker = make_client()
    attacker.cookies.set(COOKIE, before)
    assert attacker.get("/").status_code == 303


def test_the_session_cookie_is_http_only_and_same_site_lax(client: TestClient) -> None:
    client.get("/login")
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": "rep.chen",
            "password": "rep chen staple paper",
            "csrf_token": csrf_of(page.text),
        },
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # the test portal is not behind HTTPS


def test_behind_https_the_cookie_is_secure(web_settings: Settings, clock: Clock) -> None:
    from dataclasses import replace

    from qualify.web.app import create_app

    settings = replace(web_settings, portal=replace(web_settings.portal, https=True))
    with TestClient(create_app(settings, clock=clock), base_url="https://testserver") as client:
        response = client.get("/login")
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_and_unknown_user_get_the_same_answer(client: TestClient) -> None:
    assert sign_in(client, "rep.chen", "not the password") == WRONG
    assert sign_in(client, "nobody.here", "not the password") == WRONG
    assert client.get("/").status_code == 303


def test_five_failures_lock_sign_in_for_15_minutes(
    client: TestClient, clock: Clock, web_settings: Settings
) -> None:
    for _ in range(4):
        assert sign_in(client, "rep.chen", "guess") == WRONG
    locked = sign_in(client, "rep.chen", "guess")
    assert locked.startswith("sign-in for this user name is locked until ")
    assert "after 5 failed attempts" in locked
    # The right password does not open a locked name.
    assert sign_in(client, "rep.chen").startswith("sign-in for this user name is locked")
    clock.advance(minutes=14, seconds=59)
    assert sign_in(client, "rep.chen").startswith("sign-in for this user name is locked")
    clock.advance(seconds=2)
    assert sign_in(client, "rep.chen") == "/"
    failed = events(web_settings, "sign_in_failed")
    assert len(failed) == 7  # five wrong passwords, two tries while locked
    assert {(e.channel, e.account, e.actor) for e in failed} == {("web", "anonymous", "rep.chen")}
    said = [json.loads(e.details) for e in failed]
    wrong = {"name": "rep.chen", "reason": "wrong user name or password"}
    assert (
        said
        == [{**wrong, "failures": n} for n in range(1, 6)]
        + [{"name": "rep.chen", "reason": "locked"}] * 2
    )
    [lock] = events(web_settings, "sign_in_locked")
    assert lock.channel == "web"
    assert '"failures":5' in lock.details


def test_failures_spread_over_more_than_15_minutes_do_not_lock(
    client: TestClient, clock: Clock
) -> None:
    for _ in range(4):
        assert sign_in(client, "rep.chen", "guess") == WRONG
    clock.advance(minutes=15, seconds=1)
    assert sign_in(client, "rep.chen", "guess") == WRONG
    assert sign_in(client, "rep.chen") == "/"


def test_an_unknown_user_name_locks_the_same_way(client: TestClient) -> None:
    """Otherwise the lockout would tell who has an account."""
    answers = [sign_in(client, "nobody.here", "guess") for _ in range(5)]
    assert answers[:4] == [WRONG] * 4
    assert answers[4].startswith("sign-in for this user name is locked until ")


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, web_settings: Settings
) -> None:
    client.get("/login")
    for token in (None, "forged"):
        data = {"username": "rep.chen", "password": "rep chen staple paper"}
        if token:
            data["csrf_token"] = token
        response = client.post("/login", data=data)
        assert response.status_code == 403
        assert client.get("/").status_code == 303  # not signed in
    assert events(web_settings, "signed_in") == []
    assert sign_in(client, "rep.chen") == "/"
    for data in ({}, {"csrf_token": "forged"}):
        assert client.post("/logout", data=data).status_code == 403
        assert client.get("/").status_code == 200  # still signed in
    assert events(web_settings, "signed_out") == []


def test_the_csrf_header_serves_scripts(client: TestClient) -> None:
    sign_in(client, "rep.chen")
    token = csrf_of(client.get("/").text)
    response = client.post("/logout", headers={"X-CSRF-Token": token})
    assert response.status_code == 303
    assert client.get("/").status_code == 303


def test_sign_out_ends_the_session(
    make_client: Callable[[], TestClient], web_settings: Settings
) -> None:
    browser = make_client()
    sign_in(browser, "rep.chen")
    cookie = browser.cookies[COOKIE]
    response = browser.post("/logout", data={"csrf_token": csrf_of(browser.get("/").text)})
    assert response.headers["location"] == "/login"
    # The id, replayed, opens nothing: the session is gone from the server.
    replay = make_client()
    replay.cookies.set(COOKIE, cookie)
    assert replay.get("/").status_code == 303
    [out] = events(web_settings, "signed_out")
    assert (out.channel, out.account, out.actor) == ("web", "rep.chen", "rep.chen")


def test_an_idle_session_ends_after_30_minutes(client: TestClient, clock: Clock) -> None:
    sign_in(client, "rep.chen")
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200  # use restarts the idle time
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    clock.advance(minutes=30, seconds=1)
    assert client.get("/").status_code == 303


def test_a_session_ends_12_hours_after_sign_in_however_busy(
    client: TestClient, clock: Clock
) -> None:
    sign_in(client, "rep.chen")
    for _ in range(35):  # every 20 minutes for 11 h 40 min
        clock.advance(minutes=20)
        assert client.get("/").status_code == 200
    clock.advance(minutes=20, seconds=1)
    assert client.get("/").status_code == 303


def test_sign_in_goes_back_to_the_page_asked_for_but_never_to_another_site(
    client: TestClient,
) -> None:
    page = client.get("/login?next=%2Fhealthz")
    response = client.post(
        "/login",
        data={
            "username": "rep.chen",
            "password": "rep chen staple paper",
            "csrf_token": csrf_of(page.text),
            "next": "/healthz",
        },
    )
    assert response.headers["location"] == "/healthz"
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", None, ""):
        assert safe_next(target) == "/"


def test_typed_text_is_escaped_on_the_sign_in_page(client: TestClient) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": "<script>alert(1)</script>",
            "password": "x",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_a_successful_sign_in_is_audited_on_the_web_channel(
    client: TestClient, web_settings: Settings
) -> None:
    sign_in(client, "cmdr.obrien")
    [event] = events(web_settings, "signed_in")
    assert (event.channel, event.account, event.actor) == ("web", "cmdr.obrien", "cmdr.obrien")


def test_after_a_lock_ends_five_new_failures_lock_again(client: TestClient, clock: Clock) -> None:
    for _ in range(5):
        sign_in(client, "rep.chen", "guess")
    clock.advance(minutes=15, seconds=1)
    # The failures that made the first lock do not count again.
    answers = [sign_in(client, "rep.chen", "guess") for _ in range(5)]
    assert answers[:4] == [WRONG] * 4
    assert answers[4].startswith("sign-in for this user name is locked until ")
    assert sign_in(client, "rep.chen").startswith("sign-in for this user name is locked")


def test_the_user_name_is_not_case_sensitive_and_the_lockout_counts_it_as_one_name(
    client: TestClient, web_settings: Settings
) -> None:
    assert sign_in(client, "Rep.Chen", PASSWORDS["rep.chen"]) == "/"
    [signed] = events(web_settings, "signed_in")
    assert signed.actor == "rep.chen"  # the account as it is stored
    other = TestClient(client.app, base_url="http://127.0.0.1:8000", follow_redirects=False)
    spellings = ["REP.CHEN", "rep.chen", "Rep.Chen", "rep.CHEN", "Rep.chen"]
    answers = [sign_in(other, name, "guess") for name in spellings]
    assert answers[:4] == [WRONG] * 4
    assert answers[4].startswith("sign-in for this user name is locked until ")
    assert sign_in(other, "rep.chen").startswith("sign-in for this user name is locked")


def test_the_lock_time_is_said_in_utc_without_a_selection(client: TestClient) -> None:
    answers = [sign_in(client, "rep.chen", "guess") for _ in range(5)]
    assert re.match(
        r"sign-in for this user name is locked until \d\d:\d\d UTC after 5 ", answers[4]
    )


def test_the_lock_time_is_said_in_the_selections_time_zone_and_in_utc(
    sro_settings: Settings, clock: Clock
) -> None:
    app = create_app(sro_settings, clock=clock)
    with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False) as browser:
        answers = [sign_in(browser, "rep.chen", "guess") for _ in range(5)]
    until = re.search(
        r"locked until (\d\d:\d\d) New York time, (\d\d:\d\d) UTC after 5", answers[4]
    )
    assert until, answers[4]
    local, utc = (datetime.strptime(t, "%H:%M") for t in until.groups())
    assert (utc - local).seconds // 3600 in (4, 5)  # EDT or EST
