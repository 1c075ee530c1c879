"""个人所得税: annual reconciliation of comprehensive income, cumulative withholding on wages,
separate taxation of the annual one-off bonus, and business income with the individual-business
halving."""

# The inputs.* field helpers return dataclasses.field(...), which RUF009 cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from zhishui.core.errors import ValidationFailure
from zhishui.core.money import ZERO
from zhishui.core.periods import YEAR, Period

from ..breakdown import FLAG, MONEY, QUANTITY, RATE, Result
from ..inputs import flag, integer, items, money, period
from ..parameters import ParameterSet
from ..registry import calculator
from .common import scale_tax


@dataclass
class IitAnnualInput:
    """个人所得税综合所得年度汇算（居民个人）"""

    period: Period = period("纳税年度", "tax year", (YEAR,))
    wages: Decimal = money("工资、薪金所得收入", "wages and salaries", 0)
    remuneration: Decimal = money("劳务报酬所得收入", "remuneration for personal services", 0)
    author: Decimal = money("稿酬所得收入", "author's remuneration", 0)
    royalties: Decimal = money("特许权使用费所得收入", "royalties", 0)
    exempt_income: Decimal = money("免税收入", "tax-exempt income", 0)
    special_deductions: Decimal = money("专项扣除（三险一金）", "special deductions (social insurance, housing fund)",
                                        0)
    special_additional_deductions: Decimal = money("专项附加扣除", "special additional deductions", 0)
    other_deductions: Decimal = money("依法确定的其他扣除", "other deductions", 0)
    donations: Decimal = money("限额扣除的公益慈善捐赠", "donations deductible up to 30 %", 0)
    donations_full: Decimal = money("全额扣除的公益慈善捐赠", "fully deductible donations", 0)
    tax_reduction: Decimal = money("减免税额", "tax reduction", 0)
    prepaid: Decimal = money("已缴（预扣预缴）税额", "tax already withheld or prepaid", 0)


@calculator("iit_annual", "个人所得税综合所得年度汇算", "IIT annual reconciliation of comprehensive income",
            IitAnnualInput)
def iit_annual(inp: IitAnnualInput, params: ParameterSet) -> Result:
    res, p = Result(), inp.period
    ratio = params.at("iit.remuneration_income_ratio", p)
    author_ratio = params.at("iit.author_income_ratio", p)
    rem = res.money("remuneration_income", "劳务报酬所得收入额", "remuneration income amount",
                    inp.remuneration * ratio.value, f"{inp.remuneration} × {ratio.value}", "receipts × 80 %", (ratio,))
    auth = res.money("author_income", "稿酬所得收入额", "author income amount",
                     inp.author * ratio.value * author_ratio.value,
                     f"{inp.author} × {ratio.value} × {author_ratio.value}", "receipts × 80 % × 70 %",
                     (ratio, author_ratio))
    roy = res.money("royalty_income", "特许权使用费所得收入额", "royalty income amount", inp.royalties * ratio.value,
                    f"{inp.royalties} × {ratio.value}", "receipts × 80 %", (ratio,))
    income = res.money("income_amount", "综合所得收入额", "comprehensive income amount", inp.wages + rem + auth + roy,
                       "工资薪金 + 劳务报酬、稿酬、特许权使用费收入额", "wages + income amounts", report=True)
    basic = params.at("iit.basic_deduction", p)
    before = res.money("taxable_before_donations", "扣除捐赠前的应纳税所得额", "taxable income before donations",
                       max(income - inp.exempt_income - basic.value - inp.special_deductions
                           - inp.special_additional_deductions - inp.other_deductions, ZERO),
                       f"收入额 − 免税收入 − 减除费用 {basic.value} − 专项扣除 − 专项附加扣除 − 其他扣除（不低于0）",
                       "income − exempt − basic − special − special additional − other, ≥ 0", (basic,))
    taxable = before - _donations(res, params, p, before, inp.donations, inp.donations_full)
    taxable = res.money("taxable_income", "应纳税所得额", "taxable income", taxable,
                        "扣除捐赠前所得 − 准予扣除的捐赠额",
                        "before donations − deductible donations", report=True)
    tax = scale_tax(res, "tax", "应纳税额", "tax payable", taxable, params.at("iit.comprehensive_scale", p),
                    report=True)
    if inp.tax_reduction > tax:
        raise ValidationFailure("tax_reduction", "减免税额不能超过应纳税额", "tax reduction cannot exceed the tax",
                                str(inp.tax_reduction))
    res.money("tax_due", "应补（退）税额", "tax due (negative: refund)", tax - inp.tax_reduction - inp.prepaid,
              "应纳税额 − 减免税额 − 已缴税额", "tax − reduction − prepaid", report=True)
    return res


def _donations(res: Result, params: ParameterSet, when: Period, before: Decimal, limited: Decimal,
               full: Decimal) -> Decimal:
    if not (limited or full):
        return ZERO
    cap_ratio = params.at("iit.donation_cap_ratio", when)
    cap = res.money("donation_cap", "限额扣除捐赠的扣除限额", "donation cap", before * cap_ratio.value,
                    f"{before} × {cap_ratio.value}", "taxable income before donations × 30 %", (cap_ratio,))
    allowed = min(limited, cap)
    allowed_full = min(full, before - allowed)
    return res.money("donations_deducted", "准予扣除的捐赠额", "deductible donations", allowed + allowed_full,
                     "min(限额捐赠, 限额) + 全额扣除捐赠（以所得为限）",
                     "min(donations, cap) + full donations ≤ income")


@dataclass
class WageMonth:
    """一个月的工资薪金及扣除"""

    wage: Decimal = money("本月工资薪金收入", "wages this month")
    exempt_income: Decimal = money("本月免税收入", "tax-exempt income this month", 0)
    special_deductions: Decimal = money("本月专项扣除（三险一金）", "special deductions this month", 0)
    special_additional_deductions: Decimal = money("本月专项附加扣除", "special additional deductions this month", 0)
    other_deductions: Decimal = money("本月其他扣除", "other deductions this month", 0)
    tax_reduction: Decimal = money("本月减免税额", "tax reduction this month", 0)


@dataclass
class IitWithholdingInput:
    """工资薪金所得累计预扣法（居民个人）"""

    period: Period = period("纳税年度", "tax year", (YEAR,))
    months: list = items("各月工资及扣除（自起始月份起按月排列）",
                         "wages and deductions by month, from the first month",
                         WageMonth, min_items=1)
    first_month: int = integer("在本单位任职受雇的起始月份", "first month employed by this employer", 1,
                               minimum=1, maximum=12)
    deduct_from_january: bool = flag("年度中间首次取得工资薪金，减除费用自1月起计算（公告2020年第13号）",
                                     "first wage income mid-year: deduction counted from January")
    prior_year_low_income: bool = flag("上年各月均在本单位预扣且全年工资薪金不超过6万元（公告2020年第19号）",
                                       "prior-year wages with this employer ≤ 60,000: deduct 60,000 from January")


@calculator("iit_withholding", "工资薪金累计预扣预缴", "IIT cumulative withholding on wages", IitWithholdingInput)
def iit_withholding(inp: IitWithholdingInput, params: ParameterSet) -> Result:
    res, p = Result(), inp.period
    if inp.first_month + len(inp.months) - 1 > 12:
        raise ValidationFailure("months", "月份数超出本年度（起始月份 + 月数 − 1 不能超过12）",
                                "more months than remain in the year", len(inp.months))
    if inp.prior_year_low_income and inp.first_month != 1:
        raise ValidationFailure("prior_year_low_income", "按6万元自1月起减除须自1月起在本单位任职",
                                "deducting 60,000 from January requires employment from January", True)
    monthly = params.at("iit.withholding.monthly_deduction", p)
    scale = params.at("iit.comprehensive_scale", p)
    low = params.at("iit.withholding.low_income_limit", p) if inp.prior_year_low_income else None
    cum = dict.fromkeys(("wage", "exempt", "special", "additional", "other", "reduction"), ZERO)
    withheld_total = ZERO
    for i, m in enumerate(inp.months):
        month = inp.first_month + i
        cum["wage"] += m.wage
        cum["exempt"] += m.exempt_income
        cum["special"] += m.special_deductions
        cum["additional"] += m.special_additional_deductions
        cum["other"] += m.other_deductions
        cum["reduction"] += m.tax_reduction
        if low is not None:
            basic, basic_zh, used = low.value, f"按全年 {low.value} 元减除", (low,)
        else:
            n = month if inp.deduct_from_january else i + 1
            basic, basic_zh, used = monthly.value * n, f"{monthly.value} × {n} 个月", (monthly,)
        tag = f"{month:02d}"
        taxable = res.money(f"cumulative_taxable_{tag}", f"{month}月累计预扣预缴应纳税所得额",
                            f"cumulative taxable income to month {month}",
                            max(cum["wage"] - cum["exempt"] - basic - cum["special"] - cum["additional"]
                                - cum["other"], ZERO),
                            f"累计收入 − 累计免税收入 − 累计减除费用（{basic_zh}）− 累计专项扣除 − 累计专项附加扣除 − "
                            "累计其他扣除", "cumulative income − exempt − basic deduction − deductions", used)
        b = scale.value.find(taxable)
        cum_tax = res.money(f"cumulative_tax_{tag}", f"{month}月累计应预扣预缴税额", f"cumulative tax to month {month}",
                            max(taxable * b.rate - b.quick, ZERO), f"{taxable} × {b.rate} − {b.quick}",
                            "cumulative taxable × rate − quick deduction (预扣率表一)", (scale,))
        this = res.money(f"withheld_{tag}", f"{month}月应预扣预缴税额", f"tax withheld in month {month}",
                         max(cum_tax - cum["reduction"] - withheld_total, ZERO),
                         "累计应纳 − 累计减免 − 累计已预扣（为负时本月不预扣、不退税）",
                         "cumulative tax − reductions − already withheld; never negative in-year", report=True)
        withheld_total += this
    res.money("withheld_total", "本年累计已预扣预缴税额", "total withheld this year", withheld_total, report=True)
    return res


@dataclass
class IitBonusInput:
    """全年一次性奖金单独计税"""

    period: Period = period("纳税年度", "tax year", (YEAR,))
    bonus: Decimal = money("全年一次性奖金", "annual one-off bonus")


@calculator("iit_bonus", "全年一次性奖金单独计税", "IIT on the annual one-off bonus (separate taxation)", IitBonusInput)
def iit_bonus(inp: IitBonusInput, params: ParameterSet) -> Result:
    res, p = Result(), inp.period
    policy = params.at("iit.bonus.separate_taxation", p)
    scale = params.at("iit.monthly_scale", p)
    monthly = inp.bonus / 12
    b = scale.value.find(monthly)
    res.note("monthly_amount", "奖金除以12个月后的金额", "bonus ÷ 12", monthly, QUANTITY, f"{inp.bonus} ÷ 12",
             "bonus ÷ 12", (policy,))
    res.note("rate", "适用税率", "rate", b.rate, RATE, "按月换算后的综合所得税率表", "monthly table", (scale,))
    res.note("quick", "速算扣除数", "quick deduction", b.quick, MONEY, params=(scale,))
    res.money("tax", "应纳税额", "tax payable", max(inp.bonus * b.rate - b.quick, ZERO),
              f"{inp.bonus} × {b.rate} − {b.quick}", "bonus × rate − quick deduction (once)", (policy, scale),
              report=True)
    return res


@dataclass
class IitBusinessInput:
    """个人所得税经营所得年度汇算（B表）"""

    period: Period = period("纳税年度", "tax year", (YEAR,))
    revenue: Decimal = money("收入总额", "total revenue")
    costs: Decimal = money("成本、费用及损失", "costs, expenses and losses", 0)
    loss_carried_forward: Decimal = money("弥补以前年度亏损", "prior-year losses offset", 0)
    personal_deductions: bool = flag("无综合所得，减除费用6万元及专项、专项附加、其他扣除",
                                     "no comprehensive income: deduct 60,000 and personal deductions here")
    special_deductions: Decimal = money("专项扣除", "special deductions", 0)
    special_additional_deductions: Decimal = money("专项附加扣除", "special additional deductions", 0)
    other_deductions: Decimal = money("依法确定的其他扣除", "other deductions", 0)
    individual_business: bool = flag("个体工商户（适用减半征收）", "individual business (halving applies)")
    other_reductions: Decimal = money("其他政策减免税额", "other tax reductions", 0)
    prepaid: Decimal = money("已预缴税额", "tax prepaid", 0)


@calculator("iit_business", "个人所得税经营所得", "IIT on business income", IitBusinessInput)
def iit_business(inp: IitBusinessInput, params: ParameterSet) -> Result:
    res, p = Result(), inp.period
    deductions, used, zh = ZERO, (), ""
    if inp.personal_deductions:
        basic = params.at("iit.basic_deduction", p)
        deductions = (basic.value + inp.special_deductions + inp.special_additional_deductions
                      + inp.other_deductions)
        used, zh = (basic,), f" − 减除费用 {basic.value} − 专项、专项附加、其他扣除"
    taxable = res.money("taxable_income", "应纳税所得额", "taxable income",
                        max(inp.revenue - inp.costs - inp.loss_carried_forward - deductions, ZERO),
                        f"收入总额 − 成本费用损失 − 弥补亏损{zh}（不低于0）",
                        "revenue − costs − losses − personal deductions, ≥ 0", used, report=True)
    scale = params.at("iit.business_scale", p)
    tax = scale_tax(res, "tax", "应纳税额", "tax payable", taxable, scale, report=True)
    if inp.other_reductions > tax:
        raise ValidationFailure("other_reductions", "其他政策减免税额不能超过应纳税额",
                                "other reductions cannot exceed the tax", str(inp.other_reductions))
    relief = ZERO
    if inp.individual_business and tax:
        rate = params.at("iit.business.halving_rate", p)
        limit = params.at("iit.business.halving_income_limit", p)
        part = min(taxable, limit.value)
        b = scale.value.find(part)
        tax_part = res.money("tax_within_limit", "不超过200万元部分的应纳税额", "tax on the part within the ceiling",
                             part * b.rate - b.quick, f"{part} × {b.rate} − {b.quick}",
                             "min(taxable, ceiling) × rate − quick deduction", (scale, limit))
        relief = res.money("halving_relief", "个体工商户减半征收减免税额", "individual business halving relief",
                           max((tax_part - inp.other_reductions * part / taxable) * rate.value, ZERO),
                           f"（{tax_part} − 其他减免 {inp.other_reductions} × {part} ÷ {taxable}）× {rate.value}",
                           "(tax within ceiling − other reductions × share within ceiling) × 50 %",
                           (rate, limit), report=True)
    res.note("halving_applied", "适用个体工商户减半", "individual business halving applied", bool(relief), FLAG)
    res.money("tax_due", "应补（退）税额", "tax due (negative: refund)",
              tax - inp.other_reductions - relief - inp.prepaid, "应纳税额 − 其他减免 − 减半减免 − 已预缴",
              "tax − other reductions − halving relief − prepaid", report=True)
    return res
