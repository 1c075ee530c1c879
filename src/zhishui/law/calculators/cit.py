"""企业所得税: quarterly prepayment on cumulative profit and annual settlement, with the small
low-profit enterprise test, the HNTE rate and the R&D super-deduction."""

# The inputs.* field helpers return dataclasses.field(...), which RUF009 cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from zhishui.core.errors import ValidationFailure
from zhishui.core.money import ZERO
from zhishui.core.periods import QUARTER, YEAR, Period

from ..breakdown import FLAG, QUANTITY, RATE, Result
from ..inputs import flag, items, money, period, quantity
from ..parameters import ParameterSet
from ..registry import calculator


@dataclass
class QuarterValues:
    """季初值与季末值"""

    start: Decimal = quantity("季初值", "value at the start of the quarter")
    end: Decimal = quantity("季末值", "value at the end of the quarter")


def _quarter_average(res: Result, key: str, zh: str, en: str, quarters: list[QuarterValues]) -> Decimal:
    """全年季度平均值 = Σ(季初值 + 季末值) ÷ 2 ÷ 经营季度数 (公告2023年第6号第三条)."""
    avg = sum(((q.start + q.end) / 2 for q in quarters), ZERO) / len(quarters)
    return res.note(key, zh, en, avg, QUANTITY, "Σ(季初值+季末值)÷2 ÷ 季度数", "Σ(start+end)/2 ÷ quarters")


def _rd_extra(res: Result, params: ParameterSet, p: Period, expensed: Decimal, amortised: Decimal,
              negative_list: bool) -> Decimal:
    if not (expensed or amortised):
        return ZERO
    excluded = params.at("cit.rd.negative_list", p)
    if negative_list:
        res.note("rd_excluded", "负面清单行业不适用研发费用加计扣除", "negative-list industry: no R&D super-deduction",
                 True, FLAG, params=(excluded,))
        return ZERO
    rate = params.at("cit.rd.extra_deduction_rate", p)
    return res.money("rd_extra", "研发费用加计扣除额", "R&D super-deduction", (expensed + amortised) * rate.value,
                     f"（费用化 {expensed} + 无形资产摊销 {amortised}）× {rate.value}",
                     "(expensed + amortisation of capitalised R&D) × ratio", (rate,), report=True)


def _effective_rate(res: Result, params: ParameterSet, p: Period, taxable: Decimal, employees: Decimal,
                    assets: Decimal, restricted: bool, hnte: bool) -> Decimal:
    """Pick the rate: small low-profit (effective 5 %), HNTE 15 % or 25 %; never stacked."""
    standard = params.at("cit.rate", p)
    ceilings = [params.at(n, p) for n in ("cit.slp.max_taxable_income", "cit.slp.max_employees",
                                          "cit.slp.max_assets")]
    slp = res.note("small_low_profit", "符合小型微利企业条件", "qualifies as a small low-profit enterprise",
                   not restricted and taxable <= ceilings[0].value and employees <= ceilings[1].value
                   and assets <= ceilings[2].value, FLAG,
                   f"非限制禁止行业，应纳税所得额 {taxable} ≤ {ceilings[0].value}，从业人数 {employees} ≤ "
                   f"{ceilings[1].value}，资产总额 {assets} ≤ {ceilings[2].value}",
                   "non-restricted industry, income, headcount and assets within the ceilings", tuple(ceilings))
    candidates = [(standard.value, "法定税率", "statutory rate", (standard,))]
    if slp:
        ratio, rate = params.at("cit.slp.income_ratio", p), params.at("cit.slp.rate", p)
        candidates.append((ratio.value * rate.value, "小型微利企业（减按25%计入、20%税率）",
                           "small low-profit (25 % counted at 20 %)", (ratio, rate)))
    if hnte:
        h = params.at("cit.rate_hnte", p)
        candidates.append((h.value, "高新技术企业", "high and new technology enterprise", (h,)))
    rate, zh, en, used = min(candidates, key=lambda c: c[0])
    return res.note("effective_rate", f"适用（实际）税率：{zh}", f"effective rate: {en}", rate, RATE,
                    "择优适用，不叠加", "the most favourable, not stacked", used)


@dataclass
class CitAnnualInput:
    """企业所得税年度纳税申报（简化）"""

    period: Period = period("纳税年度", "tax year", (YEAR,))
    income_before_rd: Decimal = money("纳税调整后所得（加计扣除前）", "taxable income before R&D super-deduction",
                                      negative=True)
    employees_by_quarter: list = items("各季度从业人数（季初、季末）", "headcount per quarter (start, end)",
                                       QuarterValues, min_items=1)
    assets_by_quarter: list = items("各季度资产总额（季初、季末）", "total assets per quarter (start, end)",
                                    QuarterValues, min_items=1)
    rd_expensed: Decimal = money("费用化研发支出", "R&D expensed", 0)
    rd_amortised: Decimal = money("研发形成无形资产的本年摊销额", "amortisation of capitalised R&D", 0)
    negative_list_industry: bool = flag("属于研发加计扣除负面清单行业", "industry on the R&D negative list")
    restricted_industry: bool = flag("从事国家限制或禁止行业", "restricted or prohibited industry")
    hnte: bool = flag("高新技术企业", "high and new technology enterprise")
    loss_carried_forward: Decimal = money("弥补以前年度亏损", "prior-year losses offset", 0)
    prepaid: Decimal = money("本年已预缴所得税额", "tax prepaid during the year", 0)


def _taxable(res: Result, params: ParameterSet, p: Period, income: Decimal, rd_expensed: Decimal,
             rd_amortised: Decimal, negative_list: bool, loss: Decimal) -> Decimal:
    rd = _rd_extra(res, params, p, rd_expensed, rd_amortised, negative_list)
    if loss and loss > max(income - rd, ZERO):
        raise ValidationFailure("loss_carried_forward", "弥补以前年度亏损不能超过弥补前的所得",
                                "losses offset cannot exceed the income before the offset", str(loss))
    return res.money("taxable_income", "应纳税所得额", "taxable income", max(income - rd - loss, ZERO),
                     "所得 − 研发加计扣除 − 弥补亏损（不低于0）", "income − R&D super-deduction − losses, ≥ 0",
                     report=True)


@calculator("cit_annual", "企业所得税年度汇算", "enterprise income tax, annual settlement", CitAnnualInput)
def cit_annual(inp: CitAnnualInput, params: ParameterSet) -> Result:
    res, p = Result(), inp.period
    taxable = _taxable(res, params, p, inp.income_before_rd, inp.rd_expensed, inp.rd_amortised,
                       inp.negative_list_industry, inp.loss_carried_forward)
    employees = _quarter_average(res, "employees_avg", "从业人数全年季度平均值", "average headcount",
                                 inp.employees_by_quarter)
    assets = _quarter_average(res, "assets_avg", "资产总额全年季度平均值", "average total assets",
                              inp.assets_by_quarter)
    rate = _effective_rate(res, params, p, taxable, employees, assets, inp.restricted_industry, inp.hnte)
    tax = res.money("tax", "应纳所得税额", "tax payable", taxable * rate, f"{taxable} × {rate}",
                    "taxable income × effective rate", report=True)
    res.money("tax_due", "本年应补（退）所得税额", "tax due (refund)", tax - inp.prepaid, "应纳税额 − 已预缴",
              "tax − prepaid", report=True)
    return res


@dataclass
class CitQuarterlyInput:
    """企业所得税月（季）度预缴纳税申报（A类，按实际利润额预缴）"""

    period: Period = period("所属季度", "quarter", (QUARTER,))
    cumulative_profit: Decimal = money("本年累计实际利润额", "cumulative actual profit this year", negative=True)
    employees_by_quarter: list = items("本年截至本期各季度从业人数（季初、季末）", "headcount per quarter so far",
                                       QuarterValues, min_items=1)
    assets_by_quarter: list = items("本年截至本期各季度资产总额（季初、季末）", "total assets per quarter so far",
                                    QuarterValues, min_items=1)
    cumulative_rd_expensed: Decimal = money("本年累计费用化研发支出（选择预缴享受时）", "cumulative R&D expensed", 0)
    negative_list_industry: bool = flag("属于研发加计扣除负面清单行业", "industry on the R&D negative list")
    restricted_industry: bool = flag("从事国家限制或禁止行业", "restricted or prohibited industry")
    hnte: bool = flag("高新技术企业", "high and new technology enterprise")
    loss_carried_forward: Decimal = money("弥补以前年度亏损", "prior-year losses offset", 0)
    prepaid_this_year: Decimal = money("本年以前季度已预缴所得税额", "tax prepaid in earlier quarters", 0)


@calculator("cit_quarterly", "企业所得税季度预缴", "enterprise income tax, quarterly prepayment", CitQuarterlyInput)
def cit_quarterly(inp: CitQuarterlyInput, params: ParameterSet) -> Result:
    res, p = Result(), inp.period
    if len(inp.employees_by_quarter) > p.index or len(inp.assets_by_quarter) > p.index:
        raise ValidationFailure("employees_by_quarter", f"季度数据不能多于截至{p}的季度数",
                                f"more quarters than elapsed up to {p}", None)
    taxable = _taxable(res, params, p, inp.cumulative_profit, inp.cumulative_rd_expensed, ZERO,
                       inp.negative_list_industry, inp.loss_carried_forward)
    employees = _quarter_average(res, "employees_avg", "从业人数截至本期季度平均值", "average headcount so far",
                                 inp.employees_by_quarter)
    assets = _quarter_average(res, "assets_avg", "资产总额截至本期季度平均值", "average total assets so far",
                              inp.assets_by_quarter)
    rate = _effective_rate(res, params, p, taxable, employees, assets, inp.restricted_industry, inp.hnte)
    tax = res.money("cumulative_tax", "本年累计应纳所得税额", "cumulative tax", taxable * rate,
                    f"{taxable} × {rate}", "cumulative taxable income × effective rate", report=True)
    res.money("tax_due", "本期应补（退）所得税额", "tax due this quarter", max(tax - inp.prepaid_this_year, ZERO),
              "累计应纳 − 已预缴（预缴时多缴不退，汇算时处理）",
              "cumulative tax − prepaid, not below zero (overpayment settled annually)", report=True)
    return res
