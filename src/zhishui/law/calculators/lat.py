"""土地增值税 (clearance of newly built property): deductions, the four bands with quick-deduction
coefficients, the ordinary-housing exemption and developers' extra 20 %."""

# The inputs.* field helpers return dataclasses.field(...), which RUF009 cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from zhishui.core.money import ZERO

from ..breakdown import FLAG, RATE, Result
from ..inputs import day, flag, money
from ..parameters import ParameterSet
from ..registry import calculator


@dataclass
class LatInput:
    """土地增值税清算（新建房地产转让）"""

    date: date = day("转让或清算日期", "date of transfer or clearance")
    proceeds: Decimal = money("转让房地产取得的收入（不含增值税）", "proceeds from the transfer, excl. VAT")
    land_cost: Decimal = money("取得土地使用权所支付的金额", "cost of the land-use right")
    development_cost: Decimal = money("房地产开发成本", "development cost")
    interest: Decimal = money("可按项目分摊并有金融机构证明的利息支出", "allocable interest with bank evidence", 0)
    interest_allocable: bool = flag("利息能按转让项目分摊并提供金融机构证明", "interest is allocable and evidenced")
    taxes: Decimal = money("与转让房地产有关的税金", "taxes related to the transfer", 0)
    developer: bool = flag("房地产开发企业（加计20%扣除）", "real estate developer (extra 20 %)")
    ordinary_housing: bool = flag("普通标准住宅", "ordinary standard housing")


@calculator("lat", "土地增值税", "land appreciation tax", LatInput)
def lat(inp: LatInput, params: ParameterSet) -> Result:
    res, d = Result(), inp.date
    base = inp.land_cost + inp.development_cost
    if inp.interest_allocable:
        ratio = params.at("lat.expense_ratio_with_interest", d, "date")
        expenses = res.money("development_expenses", "房地产开发费用", "development expenses",
                             inp.interest + base * ratio.value,
                             f"利息 {inp.interest} + （土地 + 开发成本）{base} × {ratio.value}",
                             "interest + (land + development cost) × ratio", (ratio,))
    else:
        ratio = params.at("lat.expense_ratio_without_interest", d, "date")
        expenses = res.money("development_expenses", "房地产开发费用", "development expenses", base * ratio.value,
                             f"（土地 + 开发成本）{base} × {ratio.value}（利息不单独扣除）",
                             "(land + development cost) × ratio; interest not deducted separately", (ratio,))
    extra = ZERO
    if inp.developer:
        extra_ratio = params.at("lat.developer_extra_ratio", d, "date")
        extra = res.money("developer_extra", "房地产开发企业加计扣除", "developers' extra deduction",
                          base * extra_ratio.value, f"{base} × {extra_ratio.value}",
                          "(land + development cost) × 20 %", (extra_ratio,))
    deductions = res.money("deductions", "扣除项目金额合计", "total deductions",
                           base + expenses + inp.taxes + extra, "土地 + 开发成本 + 开发费用 + 税金 + 加计扣除",
                           "land + development cost + expenses + taxes + extra", report=True)
    added = res.money("value_added", "增值额", "value added", inp.proceeds - deductions, "收入 − 扣除项目金额",
                      "proceeds − deductions", report=True)
    if added <= 0 or deductions <= 0:
        res.money("tax", "应纳土地增值税税额", "LAT payable", ZERO, "无增值额", "no value added", report=True)
        return res
    ratio_va = res.note("value_added_ratio", "增值率（增值额 ÷ 扣除项目金额）", "value added ÷ deductions",
                        added / deductions, RATE, f"{added} ÷ {deductions}", "value added ÷ deductions")
    if inp.ordinary_housing:
        limit = params.at("lat.ordinary_housing_exemption_ratio", d, "date")
        exempt = res.note("ordinary_housing_exempt", "普通标准住宅增值率未超过20%，免征", "ordinary housing exempt",
                          ratio_va <= limit.value, FLAG, f"{ratio_va:.6f} ≤ {limit.value}", "ratio ≤ 20 %", (limit,))
        if exempt:
            res.money("tax", "应纳土地增值税税额", "LAT payable", ZERO, "免征", "exempt", (limit,), report=True)
            return res
    scale = params.at("lat.scale", d, "date")
    b = scale.value.find(ratio_va)
    res.note("rate", "适用税率", "rate", b.rate, RATE, params=(scale,))
    res.note("quick_coefficient", "速算扣除系数", "quick-deduction coefficient", b.quick, RATE, params=(scale,))
    res.money("tax", "应纳土地增值税税额", "LAT payable", added * b.rate - deductions * b.quick,
              f"{added} × {b.rate} − {deductions} × {b.quick}", "value added × rate − deductions × coefficient",
              (scale,), report=True)
    return res
