"""JSON output and the garbage-collector pause used for large listings."""

from __future__ import annotations

import gc
import json
from datetime import UTC, date, datetime

import pytest

from qualify.cli.context import print_json
from qualify.services.bulk import without_cyclic_gc


def test_print_json_is_one_line_with_sorted_keys_and_dates_as_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    at = datetime(2027, 1, 8, 9, 30, tzinfo=UTC)
    print_json({"b": [1, 2.5], "a": {"z": None, 3: "three"}, "at": at, "on": date(2027, 1, 15)})
    out = capsys.readouterr().out
    assert out == (
        '{"a":{"3":"three","z":null},"at":"2027-01-08 09:30:00+00:00","b":[1,2.5],'
        '"on":"2027-01-15"}\n'
    )
    assert json.loads(out)["at"] == str(at)


def test_print_json_keeps_non_ascii_text(capsys: pytest.CaptureFixture[str]) -> None:
    print_json({"name": "Zoë Ibáñez"})
    assert json.loads(capsys.readouterr().out) == {"name": "Zoë Ibáñez"}


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_pause_restores_what_it_found(enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with without_cyclic_gc():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), without_cyclic_gc():
            raise RuntimeError("a failed listing")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
