"""车船税: vehicles at the province's amounts, vessels and yachts per the implementing regulation,
pro-rated by months for a vehicle or vessel acquired during the year."""

# The inputs.* field helpers return dataclasses.field(...), which RUF009 cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from zhishui.core.errors import ValidationFailure
from zhishui.core.periods import YEAR, Period

from ..breakdown import QUANTITY, Result
from ..inputs import choice, integer, period, quantity
from ..parameters import ParameterSet, ParamValue
from ..registry import calculator

CATEGORIES = {
    "passenger_car": "乘用车", "bus": "客车", "truck": "货车（含半挂牵引车、三轮汽车、低速载货汽车）",
    "trailer": "挂车", "special_vehicle": "专用作业车、轮式专用机械车", "motorcycle": "摩托车",
    "vessel": "机动船舶", "non_motor_barge": "非机动驳船", "tug": "拖船", "yacht": "游艇",
    "sail_yacht": "辅助动力帆艇",
}
_MEASURE = {"passenger_car": "displacement_l", "bus": "seats", "truck": "curb_weight_t", "trailer": "curb_weight_t",
            "special_vehicle": "curb_weight_t", "vessel": "net_tonnage", "non_motor_barge": "net_tonnage",
            "tug": "power_kw", "yacht": "length_m", "sail_yacht": "length_m"}


@dataclass
class VehicleInput:
    """车船税（一辆车或一艘船的年度应纳税额）"""

    period: Period = period("纳税年度", "tax year", (YEAR,))
    category: str = choice("税目", "category", CATEGORIES)
    displacement_l: Decimal | None = quantity("排气量（升）", "engine displacement (litres)", None)
    seats: int | None = integer("核定载客人数", "approved seats", None, minimum=1)
    curb_weight_t: Decimal | None = quantity("整备质量（吨）", "curb weight (tonnes)", None)
    net_tonnage: Decimal | None = quantity("净吨位（吨）", "net tonnage", None)
    power_kw: Decimal | None = quantity("发动机功率（千瓦）", "engine power (kW)", None)
    length_m: Decimal | None = quantity("艇身长度（米）", "hull length (m)", None)
    acquired_month: int | None = integer("购置当年取得所有权的月份（新购车船）",
                                         "month acquired (new vehicle or vessel)",
                                         None, minimum=1, maximum=12)


def _annual(inp: VehicleInput, params: ParameterSet, res: Result) -> tuple[Decimal, str, tuple[ParamValue, ...]]:
    """Annual amount, its formula in words, and the parameters used."""
    c, p = inp.category, inp.period
    m = getattr(inp, _MEASURE[c]) if c in _MEASURE else None
    if c in _MEASURE and m is None:
        raise ValidationFailure(_MEASURE[c], f"{CATEGORIES[c]}须填写 {_MEASURE[c]}",
                                f"{c} requires {_MEASURE[c]}", None)
    if c == "passenger_car":
        s = params.at("vehicle.passenger_car_scale", p)
        return s.value.find(m).rate, f"排气量 {m} 升对应的每辆年税额", (s,)
    if c == "bus":
        t = params.at("vehicle.bus_amounts", p)
        size = "small" if m < 20 else "large"
        return t.value[size], f"核定载客 {m} 人（{'20人以下' if size == 'small' else '20人及以上'}）", (t,)
    if c in ("truck", "trailer", "special_vehicle"):
        per = params.at("vehicle.special_per_tonne" if c == "special_vehicle" else "vehicle.truck_per_tonne", p)
        if c == "trailer":
            share = params.at("vehicle.trailer_ratio", p)
            return m * per.value * share.value, f"{m} 吨 × {per.value} × {share.value}", (per, share)
        return m * per.value, f"{m} 吨 × {per.value}", (per,)
    if c == "motorcycle":
        a = params.at("vehicle.motorcycle_amount", p)
        return a.value, "每辆年税额", (a,)
    if c in ("vessel", "non_motor_barge", "tug"):
        s = params.at("vehicle.vessel_scale", p)
        used: tuple = (s,)
        tonnes = m
        if c == "tug":
            k = params.at("vehicle.tug_kw_tonnes", p)
            tonnes = res.note("tonnes", "拖船折合净吨位", "tug tonnage equivalent", m * k.value, QUANTITY,
                              f"{m} 千瓦 × {k.value}", "kW × 0.67", (k,))
            used += (k,)
        amount = tonnes * s.value.find(tonnes).rate
        words = f"{tonnes} 吨 × {s.value.find(tonnes).rate}"
        if c != "vessel":
            share = params.at("vehicle.tug_barge_ratio", p)
            return amount * share.value, f"{words} × {share.value}", (*used, share)
        return amount, words, used
    if c == "yacht":
        s = params.at("vehicle.yacht_scale", p)
        return m * s.value.find(m).rate, f"{m} 米 × {s.value.find(m).rate}", (s,)
    r = params.at("vehicle.sail_yacht_rate", p)
    return m * r.value, f"{m} 米 × {r.value}", (r,)


@calculator("vehicle", "车船税", "vehicle and vessel tax", VehicleInput)
def vehicle(inp: VehicleInput, params: ParameterSet) -> Result:
    res = Result()
    amount, words, used = _annual(inp, params, res)
    annual = res.money("annual_tax", "年应纳税额", "annual tax", amount, words, "annual amount for the category", used,
                       report=True)
    if inp.acquired_month is not None:
        months = 13 - inp.acquired_month
        res.money("tax", "购置当年应纳税额", "tax in the year of acquisition", annual / 12 * months,
                  f"{annual} ÷ 12 × {months} 个月", "annual tax ÷ 12 × months from the month acquired", report=True)
    else:
        res.money("tax", "应纳税额", "tax payable", annual, report=True)
    return res
