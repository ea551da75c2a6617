"""A scenario file is checked before any of it runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qualify.errors import BadInput
from qualify.services.scenario import Scenario
from tests.helpers.actors import CLI

DEMO = Path(__file__).resolve().parents[2] / "docs" / "examples" / "sro-demo.yaml"


def test_a_step_by_its_former_name_is_refused_naming_the_new_one(tmp_path: Path) -> None:
    text = DEMO.read_text(encoding="utf-8").replace("{do: declare,", "{do: attest,")
    first = [s["do"] for s in yaml.safe_load(text)["steps"]].index("attest")
    old = tmp_path / "old.yaml"
    old.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput) as refused:
        Scenario.load(old, CLI)
    assert str(refused.value) == (
        f"{old}: steps[{first}].do: the step 'attest' is now called 'declare'"
    )
    assert Scenario.load(DEMO, CLI).data["steps"][first]["do"] == "declare"
