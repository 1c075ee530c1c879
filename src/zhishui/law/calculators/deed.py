"""契税: the provincial rate, and individuals' first and second homes at 1 % / 1.5 % / 2 %."""

# The inputs.* field helpers return dataclasses.field(...), which RUF009 cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from zhishui.core.errors import ValidationFailure

from ..breakdown import RATE, Result
from ..inputs import choice, day, money, quantity
from ..parameters import ParameterSet
from ..registry import calculator

PURPOSES = {"general": "一般（适用省定税率）", "first_home": "个人购买家庭唯一住房",
            "second_home": "个人购买家庭第二套改善性住房"}


@dataclass
class DeedInput:
    """契税"""

    date: date = day("权属转移合同签订日期", "date the transfer contract was signed")
    price: Decimal = money("计税依据（成交价格，不含增值税）", "taxable price, excl. VAT")
    purpose: str = choice("承受类型", "kind of acquisition", PURPOSES, "general")
    area_m2: Decimal | None = quantity("住房建筑面积（平方米）", "floor area of the home (m²)", None)


@calculator("deed", "契税", "deed tax", DeedInput)
def deed(inp: DeedInput, params: ParameterSet) -> Result:
    res = Result()
    if inp.purpose == "general":
        rate = params.at("deed.rate", inp.date, "date")
        value = rate.value
        used: tuple = (rate,)
    else:
        if inp.area_m2 is None:
            raise ValidationFailure("area_m2", "住房建筑面积（area_m2）：个人购买住房须填写面积",
                                    "floor area (area_m2): required for an individual's home", None)
        limit = params.at("deed.individual_housing.area_limit", inp.date, "date")
        rates = params.at("deed.individual_housing.rates", inp.date, "date")
        size = "small" if inp.area_m2 <= limit.value else "large"
        value = rates.value[f"{inp.purpose.split('_')[0]}_{size}"]
        used = (limit, rates)
    res.note("rate", f"适用税率（{PURPOSES[inp.purpose]}）", "rate", value, RATE,
             "" if inp.purpose == "general" else f"面积 {inp.area_m2} 与 {used[0].value} 平方米比较",
             "" if inp.purpose == "general" else "floor area against the limit", used)
    res.money("tax", "应纳契税", "deed tax payable", inp.price * value, f"{inp.price} × {value}", "price × rate",
              used, report=True)
    return res
