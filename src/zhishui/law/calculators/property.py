"""房产税: from value (1.2 % × original value × (1 − provincial deduction)), from rent (12 %, or
4 % on residential rent), pro-rated by months, with the “六税两费” halving."""

# The inputs.* field helpers return dataclasses.field(...), which RUF009 cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from zhishui.core.money import ZERO
from zhishui.core.periods import YEAR, Period

from ..breakdown import Result
from ..inputs import flag, integer, money, period
from ..parameters import ParameterSet
from ..registry import calculator
from .common import six_two_reduction


@dataclass
class PropertyInput:
    """房产税（年度应纳税额）"""

    period: Period = period("纳税年度", "tax year", (YEAR,))
    original_value: Decimal = money("从价计征的房产原值", "original value of self-used property", 0)
    months_by_value: int = integer("从价计征月份数", "months taxed on value", 12, minimum=0, maximum=12)
    rent: Decimal = money("本年租金收入（不含增值税）", "rent received this year, excl. VAT", 0)
    residential_rent: bool = flag("出租住房适用4%税率（个人出租住房，或向个人、专业化规模化住房租赁企业出租）",
                                  "residential letting at 4 %")
    halving_eligible: bool = flag("适用“六税两费”减征（小规模纳税人、小型微利企业、个体工商户）",
                                  "eligible for the six-taxes-two-fees halving")


@calculator("property", "房产税", "house property tax", PropertyInput)
def property_tax(inp: PropertyInput, params: ParameterSet) -> Result:
    res, p = Result(), inp.period
    tax = ZERO
    if inp.original_value and inp.months_by_value:
        ratio = params.at("property.value_deduction_ratio", p)
        rate = params.at("property.value_rate", p)
        tax += res.money("tax_on_value", "从价计征应纳税额", "tax on residual value",
                         inp.original_value * (1 - ratio.value) * rate.value * inp.months_by_value / 12,
                         f"{inp.original_value} × (1 − {ratio.value}) × {rate.value} × {inp.months_by_value} ÷ 12",
                         "original value × (1 − deduction) × 1.2 % × months ÷ 12", (ratio, rate))
    if inp.rent:
        rate = params.at("property.residential_rent_rate" if inp.residential_rent else "property.rent_rate", p)
        tax += res.money("tax_on_rent", "从租计征应纳税额", "tax on rent", inp.rent * rate.value,
                         f"{inp.rent} × {rate.value}", "rent × rate", (rate,))
    tax = res.money("tax", "应纳税额", "tax assessed", tax, report=True)
    relief = six_two_reduction(res, params, p, "reduction", "房产税", "house property tax", tax) \
        if inp.halving_eligible and tax else ZERO
    res.money("payable", "应缴税额", "tax payable", tax - relief, "应纳税额 − 减征额", "tax − reduction", report=True)
    return res
