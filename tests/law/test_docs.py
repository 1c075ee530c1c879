"""Every worked example in docs/calc.md still produces the figures printed there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from zhishui.law import interface

DOC = Path(__file__).resolve().parents[2] / "docs" / "calc.md"
EXAMPLE = re.compile(r"<!-- example: (\w+) -->\s*\*\*Input\*\*\s*```json\n(.*?)```"
                     r"\s*\*\*Amounts\*\*\s*```json\n(.*?)```", re.S)
EXAMPLES = EXAMPLE.findall(DOC.read_text(encoding="utf-8"))


def test_every_calculator_has_a_documented_example():
    assert {name for name, _, _ in EXAMPLES} == {c["name"] for c in interface.list_calculators()}


@pytest.mark.parametrize("name, payload, expected", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_documented_example(name, payload, expected):
    assert interface.run(name, json.loads(payload))["amounts"] == json.loads(expected)
