"""Small helpers shared by the calculators."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from zhishui.core.periods import Period

from ..breakdown import MONEY, RATE, Result
from ..parameters import ParameterSet, ParamValue

SIX_TWO = "relief.six_taxes_two_fees"


def six_two_reduction(res: Result, params: ParameterSet, when: date | Period, key: str, label_zh: str,
                      label_en: str, tax: Decimal, field_name: str = "period") -> Decimal:
    """“六税两费”减征额 = 应纳税额 × 50 %, only while the relief is in force (fails loudly after)."""
    p = params.at(SIX_TWO, when, field_name)
    return res.money(key, f"{label_zh}“六税两费”减征额", f"{label_en}: six-taxes-two-fees reduction",
                     tax * p.value, "应纳税额 × 减征比例", "tax × reduction ratio", (p,))


def scale_tax(res: Result, key: str, label_zh: str, label_en: str, base: Decimal, scale: ParamValue,
              *, report: bool = False) -> Decimal:
    """Tax from a bracket table: base × rate − quick deduction, never below zero."""
    b = scale.value.find(base)
    res.note(f"{key}_rate", f"{label_zh}适用税率", f"{label_en}: rate", b.rate, RATE,
             f"按{scale.label_zh}查得", f"looked up in {scale.label_en}", (scale,))
    res.note(f"{key}_quick", f"{label_zh}速算扣除数", f"{label_en}: quick deduction", b.quick, MONEY,
             params=(scale,))
    return res.money(key, label_zh, label_en, max(base * b.rate - b.quick, Decimal(0)),
                     f"{base} × {b.rate} − {b.quick}", "base × rate − quick deduction", (scale,), report=report)
