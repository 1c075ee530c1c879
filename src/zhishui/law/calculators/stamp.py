"""印花税: every item of the 2022 law's table, securities duty halved from 2023-08-28, and the
“六税两费” halving (which does not cover securities duty)."""

# The inputs.* field helpers return dataclasses.field(...), which RUF009 cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from zhishui.core.money import ZERO

from ..breakdown import Result
from ..inputs import choice, day, flag, items, money
from ..parameters import ParameterSet
from ..registry import calculator
from .common import six_two_reduction

ITEMS = {
    "loan": "借款合同", "finance_lease": "融资租赁合同", "sale": "买卖合同", "work": "承揽合同",
    "construction": "建设工程合同", "transport": "运输合同", "technology": "技术合同", "lease": "租赁合同",
    "custody": "保管合同", "warehousing": "仓储合同", "property_insurance": "财产保险合同",
    "land_use_grant": "土地使用权出让书据", "property_transfer": "土地使用权、房屋等建筑物和构筑物所有权转让书据",
    "equity_transfer": "股权转让书据（不含证券交易）",
    "ip_transfer": "商标专用权、著作权、专利权、专有技术使用权转让书据",
    "business_books": "营业账簿（实收资本和资本公积的增加额）", "securities": "证券交易（出让方）",
}


@dataclass
class StampItem:
    """一份应税凭证或一笔证券交易"""

    item: str = choice("税目", "taxable item", ITEMS)
    amount: Decimal = money("计税依据（不含列明的增值税）", "taxable amount (excl. separately stated VAT)")
    date: date = day("书立或交易日期", "date executed or traded")


@dataclass
class StampInput:
    """印花税申报"""

    documents: list = items("应税凭证", "taxable documents", StampItem, min_items=1)
    halving_eligible: bool = flag("适用“六税两费”减征（小规模纳税人、小型微利企业、个体工商户）",
                                  "eligible for the six-taxes-two-fees halving")


@calculator("stamp", "印花税", "stamp duty", StampInput)
def stamp(inp: StampInput, params: ParameterSet) -> Result:
    res, total = Result(), ZERO
    for i, doc in enumerate(inp.documents):
        field = f"documents[{i}].date"
        if doc.item == "securities":
            rate = params.at("stamp.securities_rate", doc.date, field)
            value = rate.value
        else:
            rate = params.at("stamp.rates", doc.date, field)
            value = rate.value[doc.item]
        name = ITEMS[doc.item]
        tax = res.money(f"tax_{i}", f"第{i + 1}项 {name} 应纳税额", f"item {i + 1} {doc.item}: tax", doc.amount * value,
                        f"{doc.amount} × {value}", "amount × rate", (rate,))
        relief = ZERO
        if inp.halving_eligible and doc.item != "securities" and tax:
            relief = six_two_reduction(res, params, doc.date, f"reduction_{i}", f"第{i + 1}项", f"item {i + 1}",
                                       tax, field)
        total += res.money(f"payable_{i}", f"第{i + 1}项 应缴税额", f"item {i + 1}: payable", tax - relief,
                           "应纳税额 − 减征额", "tax − reduction")
    res.money("total", "印花税应缴税额合计", "total stamp duty payable", total, report=True)
    return res
