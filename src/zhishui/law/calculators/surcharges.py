"""附加税费: 城市维护建设税、教育费附加、地方教育附加, with the two fees' small-seller exemption
and the “六税两费” halving."""

# The inputs.* field helpers return dataclasses.field(...), which RUF009 cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from zhishui.core.money import ZERO
from zhishui.core.periods import MONTH, Period

from ..breakdown import FLAG, TEXT, Result
from ..inputs import choice, flag, money, period
from ..parameters import ParameterSet
from ..registry import calculator
from .common import six_two_reduction

LOCATION = {"city": "市区（7%）", "county_town": "县城、镇（5%）", "other": "不在市区、县城或镇（1%）"}


@dataclass
class SurchargesInput:
    """附加税费（增值税及附加税费申报表附列资料）"""

    period: Period = period("所属期", "tax period")
    vat_paid: Decimal = money("实际缴纳的增值税税额", "VAT actually paid")
    sales: Decimal = money("本期应税销售额（判断两费免征）", "taxable sales of the period (for the fee exemption)")
    consumption_tax_paid: Decimal = money("实际缴纳的消费税税额", "consumption tax actually paid", 0)
    vat_credit_refund: Decimal = money("期末留抵退税退还的增值税税额", "VAT refunded as excess input credit", 0)
    location_class: str | None = choice("纳税人所在地", "taxpayer location class", LOCATION, None)
    halving_eligible: bool = flag("适用“六税两费”减征（小规模纳税人、小型微利企业、个体工商户）",
                                  "eligible for the six-taxes-two-fees halving")


@calculator("surcharges", "附加税费", "VAT surcharges (urban maintenance tax and education fees)", SurchargesInput)
def surcharges(inp: SurchargesInput, params: ParameterSet) -> Result:
    res, p = Result(), inp.period
    gross = inp.vat_paid + inp.consumption_tax_paid
    base = res.money("base", "计税（费）依据", "base", max(gross - inp.vat_credit_refund, ZERO),
                     "实际缴纳增值税 + 消费税 − 留抵退税额（不低于0）",
                     "VAT + consumption tax paid − credit refund, ≥ 0")
    if inp.vat_credit_refund > gross:
        res.money("refund_carried", "尚未扣除的留抵退税额（结转以后期间扣除）",
                  "credit refund not yet deducted (carried to later periods)", inp.vat_credit_refund - gross)
    location = inp.location_class
    if location is None:
        default = params.at("surcharges.default_location_class", p)
        location = res.note("location_class", "纳税人所在地（地区默认）", "location class (district default)",
                            str(default.value), TEXT, params=(default,))
    which = "month" if p.kind == MONTH else "quarter"
    exemption = params.at(f"surcharges.fee_exemption_{which}", p)
    fees_exempt = res.note("fees_exempt", "教育费附加、地方教育附加免征", "education fees exempt",
                           inp.sales <= exemption.value, FLAG, f"销售额 {inp.sales} ≤ {exemption.value}",
                           "sales ≤ threshold", (exemption,))
    urban = params.at("surcharges.urban_maintenance_rate", p)
    levies = (("urban_maintenance_tax", "城市维护建设税", "urban maintenance and construction tax",
               urban.value[location], urban, False),
              ("education_surcharge", "教育费附加", "education surcharge", None,
               params.at("surcharges.education_rate", p), True),
              ("local_education_surcharge", "地方教育附加", "local education surcharge", None,
               params.at("surcharges.local_education_rate", p), True))
    total = ZERO
    for key, zh, en, rate, param, is_fee in levies:
        rate = param.value if rate is None else rate
        tax = res.money(f"{key}_assessed", f"{zh}应纳税（费）额", f"{en} assessed", base * rate,
                        f"{base} × {rate}", "base × rate", (param,))
        if is_fee and fees_exempt:
            relief = res.money(f"{key}_exempt", f"{zh}免征额", f"{en} exempted", tax, "全额免征", "fully exempt",
                               (exemption,))
        elif inp.halving_eligible and tax:
            relief = six_two_reduction(res, params, p, f"{key}_reduction", zh, en, tax)
        else:
            relief = ZERO
        total += res.money(key, f"{zh}本期应补（退）税（费）额", f"{en} payable", tax - relief, "应纳 − 减免",
                           "assessed − relief", report=True)
    res.money("total", "附加税费合计", "total surcharges", total, report=True)
    return res
