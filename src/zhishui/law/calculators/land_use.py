"""城镇土地使用税: area × the district's annual amount for the land grade, pro-rated by months,
with the “六税两费” halving."""

# The inputs.* field helpers return dataclasses.field(...), which RUF009 cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from zhishui.core.errors import ValidationFailure
from zhishui.core.money import ZERO
from zhishui.core.periods import YEAR, Period

from ..breakdown import RATE, Result
from ..inputs import flag, integer, period, quantity
from ..parameters import ParameterSet
from ..registry import calculator
from .common import six_two_reduction


@dataclass
class LandUseInput:
    """城镇土地使用税（年度应纳税额）"""

    period: Period = period("纳税年度", "tax year", (YEAR,))
    area_m2: Decimal = quantity("实际占用土地面积（平方米）", "land area occupied (m²)")
    grade: int = integer("土地等级", "land grade", minimum=1)
    months: int = integer("应税月份数", "months taxable", 12, minimum=0, maximum=12)
    halving_eligible: bool = flag("适用“六税两费”减征（小规模纳税人、小型微利企业、个体工商户）",
                                  "eligible for the six-taxes-two-fees halving")


@calculator("land_use", "城镇土地使用税", "urban land-use tax", LandUseInput)
def land_use(inp: LandUseInput, params: ParameterSet) -> Result:
    res, p = Result(), inp.period
    grades = params.at("land_use.grade_amounts", p)
    if str(inp.grade) not in grades.value:
        configured = "、".join(grades.value)
        raise ValidationFailure("grade", f"地区 {params.district} 没有第 {inp.grade} 级土地（已配置：{configured}）",
                                f"district {params.district} has no land grade {inp.grade} "
                                f"(configured: {', '.join(grades.value)})", inp.grade)
    amount = grades.value[str(inp.grade)]
    res.note("amount_per_m2", f"第{inp.grade}级土地每平方米年税额", f"annual amount per m², grade {inp.grade}", amount,
             RATE,
             params=(grades,))
    tax = res.money("tax", "应纳税额", "tax assessed", inp.area_m2 * amount * inp.months / 12,
                    f"{inp.area_m2} × {amount} × {inp.months} ÷ 12", "area × amount × months ÷ 12", (grades,),
                    report=True)
    relief = six_two_reduction(res, params, p, "reduction", "城镇土地使用税", "land-use tax", tax) \
        if inp.halving_eligible and tax else ZERO
    res.money("payable", "应缴税额", "tax payable", tax - relief, "应纳税额 − 减征额", "tax − reduction", report=True)
    return res
