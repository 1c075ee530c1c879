"""YAML scenarios in the OpenFisca style: ``scenarios/*.yaml`` list cases with a calculator, an
input payload, optional overlay, and the expected amounts (or the expected error code)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from zhishui.core.errors import ValidationFailure
from zhishui.law import interface

CASES = [(path.stem, case) for path in sorted((Path(__file__).parent / "scenarios").glob("*.yaml"))
         for case in yaml.safe_load(path.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[f"{f}:{c['name']}" for f, c in CASES])
def test_scenario(case):
    if "error" in case:
        with pytest.raises(ValidationFailure) as exc:
            interface.run(case["calculator"], case["input"], overlay=case.get("overlay"))
        assert exc.value.code == case["error"]
        return
    out = interface.run(case["calculator"], case["input"], overlay=case.get("overlay"))
    expected = {k: f"{v:.2f}" if not isinstance(v, str) else v for k, v in case["expected"].items()}
    assert {k: out["amounts"][k] for k in expected} == expected
