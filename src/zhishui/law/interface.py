"""JSON in, JSON out: the functions the CLI (``zhishui calc``) and the API call.

Amounts are strings with two decimals; every breakdown line lists the parameters it used, and the
full parameter versions (validity, citation, confidence) are listed once. Parameters marked 疑
(unconfirmed) or 假设 (what-if) are repeated as warnings so no one mistakes them for settled law.
"""

from __future__ import annotations

from pathlib import Path

from .parameters import DEFAULT_DISTRICT, ParameterSet, default_parameters
from .registry import all_calculators, get


def list_calculators() -> list[dict]:
    return [{"name": c.name, "title_zh": c.title_zh, "title_en": c.title_en} for c in all_calculators()]


def schema(name: str) -> dict:
    return get(name).schema


def run(name: str, payload: dict, overlay: dict | str | Path | None = None,
        district: str = DEFAULT_DISTRICT) -> dict:
    """Validate ``payload``, calculate, and return amounts and breakdown as JSON-ready data.

    Raises ``ValidationFailure`` for bad input, an unknown calculator or a parameter not in force.
    """
    calc = get(name)
    params: ParameterSet = default_parameters(district).with_overlay(overlay)
    result = calc.calculate(payload, params)
    used = result.params_used()
    warnings = [{"parameter": p.name, "confidence": p.confidence,
                 "message_zh": f"使用了{'未经核实' if p.confidence == '疑' else '假设情景'}的参数 "
                 f"{p.name}（{p.label_zh}）"
                 + (f"：{p.note}" if p.note else ""),
                 "message_en": f"uses {'an unconfirmed' if p.confidence == '疑' else 'a what-if'} parameter "
                 f"{p.name} ({p.label_en})"}
                for p in used if p.confidence in {"疑", "假设"}]
    return {
        "calculator": calc.name, "title_zh": calc.title_zh, "title_en": calc.title_en,
        "district": params.district, "overlays": list(params.overlaid),
        "amounts": {k: f"{v:.2f}" for k, v in result.amounts.items()},
        "breakdown": [line.as_dict() for line in result.lines],
        "parameters": [p.as_dict() for p in used],
        "warnings": warnings,
    }
