"""环境保护税 (one month): air and water pollutants by pollution equivalents (top items per outlet),
solid waste per tonne, industrial noise by decibels over the limit, and the 75 % / 50 %
concentration reductions."""

# The inputs.* field helpers return dataclasses.field(...), which RUF009 cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from zhishui.core.errors import ValidationFailure
from zhishui.core.money import ZERO
from zhishui.core.periods import MONTH, Period

from ..breakdown import QUANTITY, Result
from ..inputs import choice, integer, items, period, quantity, text
from ..parameters import ParameterSet, ParamValue
from ..registry import calculator

AIR = {"sulfur_dioxide": "二氧化硫", "nitrogen_oxides": "氮氧化物", "carbon_monoxide": "一氧化碳", "chlorine": "氯气",
       "hydrogen_chloride": "氯化氢", "fluoride": "氟化物", "sulfuric_acid_mist": "硫酸雾", "soot": "烟尘",
       "general_dust": "一般性粉尘", "lead_compounds": "铅及其化合物", "mercury_compounds": "汞及其化合物",
       "benzene": "苯",
       "toluene": "甲苯", "xylene": "二甲苯", "formaldehyde": "甲醛", "methanol": "甲醇", "hydrogen_sulfide": "硫化氢",
       "ammonia": "氨"}
WATER1 = {"total_mercury": "总汞", "total_cadmium": "总镉", "total_chromium": "总铬", "hexavalent_chromium": "六价铬",
          "total_arsenic": "总砷", "total_lead": "总铅", "total_nickel": "总镍", "total_beryllium": "总铍",
          "total_silver": "总银"}
WATER2 = {"suspended_solids": "悬浮物", "bod5": "生化需氧量", "cod": "化学需氧量", "total_organic_carbon": "总有机碳",
          "petroleum": "石油类", "animal_vegetable_oil": "动植物油", "volatile_phenol": "挥发酚",
          "total_cyanide": "总氰化物", "sulfide": "硫化物", "ammonia_nitrogen": "氨氮", "fluoride": "氟化物",
          "total_copper": "总铜", "total_zinc": "总锌", "total_manganese": "总锰", "total_phosphorus": "总磷"}
WATER = {**{f"class1:{k}": v for k, v in WATER1.items()}, **{f"class2:{k}": v for k, v in WATER2.items()}}
OXYGEN_DEMAND = {"cod", "bod5", "total_organic_carbon"}
SOLID = {"coal_gangue": "煤矸石", "tailings": "尾矿", "hazardous_waste": "危险废物", "smelting_slag": "冶炼渣",
         "fly_ash": "粉煤灰", "slag": "炉渣", "other": "其他固体废物"}


@dataclass
class Emission:
    """一个排放口一种污染物的当月排放"""

    outlet: str = text("排放口编号", "outlet")
    pollutant: str = choice("污染物", "pollutant", {**AIR, **WATER})
    emission_kg: Decimal = quantity("排放量（千克）", "emission (kg)")
    concentration_ratio: Decimal | None = quantity("浓度值 ÷ 排放标准（用于减征，如 0.6）",
                                                   "concentration ÷ emission standard (for the reduction)", None)


@dataclass
class SolidWaste:
    """当月固体废物排放量"""

    kind: str = choice("固体废物类别", "kind of solid waste", SOLID)
    tonnes: Decimal = quantity("排放量（吨）", "quantity discharged (tonnes)")


@dataclass
class Noise:
    """一个测点（昼或夜分别填报）当月超标情况"""

    point: str = text("测点及时段（如 东厂界-昼）", "measuring point and day/night")
    over_db: int = integer("超标分贝数", "decibels over the limit", minimum=1)
    days_over: int = integer("当月超标天数", "days over the limit in the month", minimum=1, maximum=31)


@dataclass
class EnvInput:
    """环境保护税（按月计算）"""

    period: Period = period("所属月份", "month", (MONTH,))
    air: list = items("应税大气污染物", "air pollutants", Emission)
    water: list = items("应税水污染物", "water pollutants", Emission)
    solid_waste: list = items("应税固体废物", "solid waste", SolidWaste)
    noise: list = items("应税噪声", "industrial noise", Noise)


def _pollutants(res: Result, params: ParameterSet, p: Period, rows: list[Emission], medium: str) -> Decimal:
    """Tax per outlet on the pollutants with the most equivalents (环境保护税法第九条)."""
    tops = params.at("env.top_counts", p)
    rate = params.at(f"env.{medium}_rate", p)
    reduction = params.at("env.concentration_reduction", p)
    decimals = params.at("env.equivalent_decimals", p)
    step = Decimal(1).scaleb(-int(decimals.value))
    if medium == "air":
        tables = {"air": params.at("env.air_equivalents", p)}
    else:
        tables = {"class1": params.at("env.water_class1_equivalents", p),
                  "class2": params.at("env.water_class2_equivalents", p)}
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for row in rows:
        group, _, name = row.pollutant.rpartition(":") if ":" in row.pollutant else ("air", "", row.pollutant)
        if (medium == "air") != (group == "air"):
            raise _wrong_medium(row, medium)
        table: ParamValue = tables[group]
        # Equivalents are a reported figure: round them, then tax the rounded count.
        eq = (row.emission_kg / table.value[name]).quantize(step, ROUND_HALF_UP)
        groups[(row.outlet, group)].append((eq, name, row, table))
    total = ZERO
    for (outlet, group), found in groups.items():
        found.sort(key=lambda x: x[0], reverse=True)
        if group == "class2":
            oxygen = [f for f in found if f[1] in OXYGEN_DEMAND][1:]
            found = [f for f in found if f not in oxygen]
        limit = int(tops.value["air" if group == "air" else f"water_{group}"])
        for rank, (eq, name, row, table) in enumerate(found[:limit], 1):
            key = f"{medium}_{outlet}_{name}"
            res.note(f"{key}_equivalents", f"{outlet} {AIR.get(name) or WATER[f'{group}:{name}']} 污染当量数",
                     f"{outlet} {name}: pollution equivalents", eq, QUANTITY,
                     f"排放量 {row.emission_kg} ÷ 当量值 {table.value[name]}（第{rank}项）",
                     "emission ÷ equivalent value",
                     (table, tops, decimals))
            factor = reduction.value.find(row.concentration_ratio).rate if row.concentration_ratio is not None \
                else Decimal(1)
            total += res.money(key, f"{outlet} {name} 应纳税额", f"{outlet} {name}: tax", eq * rate.value * factor,
                               f"{eq} × {rate.value} × {factor}", "equivalents × amount × reduction factor",
                               (rate, reduction) if factor != 1 else (rate,))
    return total


def _wrong_medium(row: Emission, medium: str) -> ValidationFailure:
    zh = "大气" if medium == "air" else "水"
    return ValidationFailure(medium, f"污染物 {row.pollutant} 不属于{zh}污染物", f"{row.pollutant} is not a {medium} "
                             "pollutant", row.pollutant)


@calculator("env", "环境保护税", "environmental protection tax", EnvInput)
def env(inp: EnvInput, params: ParameterSet) -> Result:
    res, p = Result(), inp.period
    air = _pollutants(res, params, p, inp.air, "air") if inp.air else ZERO
    water = _pollutants(res, params, p, inp.water, "water") if inp.water else ZERO
    solid = ZERO
    if inp.solid_waste:
        amounts = params.at("env.solid_waste_amounts", p)
        for i, w in enumerate(inp.solid_waste):
            per = amounts.value[w.kind]
            solid += res.money(f"solid_{i}", f"{SOLID[w.kind]} 应纳税额", f"{w.kind}: tax", w.tonnes * per,
                               f"{w.tonnes} 吨 × {per}", "tonnes × amount per tonne", (amounts,))
    noise = ZERO
    if inp.noise:
        scale, half = params.at("env.noise_scale", p), params.at("env.noise_half_days", p)
        for i, n in enumerate(inp.noise):
            amount = scale.value.find(Decimal(n.over_db)).rate
            halved = n.days_over < half.value
            noise += res.money(f"noise_{i}", f"{n.point} 噪声应纳税额", f"{n.point}: noise tax",
                               amount / 2 if halved else amount,
                               f"超标 {n.over_db} 分贝月税额 {amount}" + ("，超标不足15天减半" if halved else ""),
                               "monthly amount for the decibels over" + (", halved (< 15 days)" if halved else ""),
                               (scale, half))
    res.money("air_tax", "大气污染物应纳税额", "air pollutants tax", air, report=True)
    res.money("water_tax", "水污染物应纳税额", "water pollutants tax", water, report=True)
    res.money("solid_waste_tax", "固体废物应纳税额", "solid waste tax", solid, report=True)
    res.money("noise_tax", "噪声应纳税额", "noise tax", noise, report=True)
    res.money("total", "环境保护税应纳税额合计", "total environmental protection tax", air + water + solid + noise,
              report=True)
    return res
