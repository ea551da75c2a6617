"""`qualify serve`: the portal as a real server process on 127.0.0.1."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from qualify.config import Settings
from tests.conftest import Result
from tests.helpers.serve import serving


@pytest.mark.slow
def test_serve_answers_healthz_and_the_sign_in_page(web_settings: Settings) -> None:
    with serving(web_settings.database_url) as base_url:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as answer:
            assert answer.status == 200
            assert answer.read() == b"ok\n"
        with urllib.request.urlopen(f"{base_url}/login", timeout=5) as page:
            assert page.headers["X-Frame-Options"] == "DENY"
            assert 'name="username"' in page.read().decode()


def test_serve_refuses_a_missing_database(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("--db", f"sqlite:///{tmp_path / 'none.db'}", "serve")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no database at ")
