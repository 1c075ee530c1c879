"""增值税: general taxpayer return (main table, general items) and small-scale taxpayer return."""

# The inputs.* field helpers return dataclasses.field(...), which RUF009 cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from zhishui.core.errors import ValidationFailure
from zhishui.core.money import ZERO
from zhishui.core.periods import MONTH, Period

from ..breakdown import FLAG, TEXT, Result
from ..inputs import choice, money, period
from ..parameters import ParameterSet
from ..registry import calculator

SUPER_CREDIT = {"none": "不适用", "advanced_manufacturing": "先进制造业企业（5%）",
                "ic_mother_machine": "集成电路企业、工业母机企业（15%）"}


@dataclass
class VatGeneralInput:
    """增值税及附加税费申报表（一般纳税人适用）主表（一般项目或即征即退项目一列）及附列资料（四）加计抵减"""

    period: Period = period("所属期", "tax period")
    sales_13: Decimal = money("适用13%税率的销售额", "sales at 13 %", 0)
    sales_9: Decimal = money("适用9%税率的销售额", "sales at 9 %", 0)
    sales_6: Decimal = money("适用6%税率的销售额", "sales at 6 %", 0)
    simplified_sales_3: Decimal = money("简易计税销售额（3%征收率）", "simplified-method sales at 3 %", 0)
    simplified_sales_5: Decimal = money("简易计税销售额（5%征收率）", "simplified-method sales at 5 %", 0)
    simplified_inspection_sales: Decimal = money("其中：纳税检查调整的简易计税销售额（第6栏，计入第5栏）",
                                                 "simplified-method sales adjusted on inspection (line 6, in line 5)",
                                                 0)
    export_sales: Decimal = money("免、抵、退办法出口销售额", "exports under exempt-credit-refund", 0)
    exempt_sales: Decimal = money("免税销售额", "exempt sales", 0)
    output_tax_entered: Decimal = money("按附列资料填报的销项税额（如即征即退项目，计入第11栏）",
                                        "output tax as entered from the schedules (e.g. immediate-refund items; "
                                        "in line 11)", 0)
    input_tax: Decimal = money("进项税额（第12栏）", "input tax (line 12)", 0)
    previous_credit: Decimal = money("上期留抵税额（第13栏）", "credit carried from last period (line 13)", 0)
    input_transfer_out: Decimal = money("进项税额转出（第14栏）", "input tax transferred out (line 14)", 0)
    export_refund: Decimal = money("免、抵、退应退税额（第15栏）", "exempt-credit-refund refund (line 15)", 0)
    inspection_tax: Decimal = money("按适用税率计算的纳税检查应补缴税额（第16栏）",
                                    "tax due from inspection at applicable rates (line 16)", 0)
    super_credit_class: str = choice("加计抵减政策（附列资料（四））", "additional input-tax credit (加计抵减) policy",
                                     SUPER_CREDIT, "none")
    super_credit_opening: Decimal = money("一般项目加计抵减额期初余额", "additional credit: opening balance", 0,
                                          negative=True)
    super_credit_excluded_input: Decimal = money("不得计提加计抵减额的进项税额（出口货物劳务、跨境应税行为对应等）",
                                                 "input tax not eligible for the additional credit (exports etc.)", 0)
    super_credit_adjustment: Decimal = money("一般项目加计抵减额本期调减额", "additional credit: reduction this period",
                                             0)
    simplified_tax_entered: Decimal = money("按附列资料填报的简易计税应纳税额（如即征即退项目，计入第21栏）",
                                            "simplified-method tax as entered (e.g. immediate-refund items; in "
                                            "line 21)", 0)
    simplified_inspection_tax: Decimal = money("按简易计税办法计算的纳税检查应补缴税额（第22栏）",
                                               "tax due from inspection under the simplified method (line 22)", 0)
    tax_reduction: Decimal = money("应纳税额减征额（第23栏）", "tax reduction (line 23)", 0)
    opening_unpaid: Decimal = money("期初未缴税额（第25栏，多缴为负数）", "tax unpaid at the start (line 25; "
                                    "overpaid negative)", 0, negative=True)
    export_refund_received: Decimal = money("实收出口开具专用缴款书退税额（第26栏）",
                                            "refund received on export payment certificates (line 26)", 0)
    prepaid: Decimal = money("分次预缴税额（第28栏）", "tax prepaid in instalments (line 28)", 0)
    export_prepaid: Decimal = money("出口开具专用缴款书预缴税额（第29栏）",
                                    "tax prepaid on export payment certificates (line 29)", 0)
    paid_previous: Decimal = money("本期缴纳上期应纳税额（第30栏）", "last period's tax paid this period (line 30)", 0)
    paid_arrears: Decimal = money("本期缴纳欠缴税额（第31栏）", "arrears paid this period (line 31)", 0)
    opening_inspection_unpaid: Decimal = money("期初未缴查补税额（第36栏）", "inspection tax unpaid at the start "
                                               "(line 36)", 0)
    inspection_paid: Decimal = money("本期入库查补税额（第37栏）", "inspection tax paid this period (line 37)", 0)


@calculator("vat_general", "增值税一般纳税人申报", "VAT return, general taxpayer", VatGeneralInput)
def vat_general(inp: VatGeneralInput, params: ParameterSet) -> Result:
    res, p = Result(), inp.period
    res.money("line_1", "（一）按适用税率计税销售额（第1栏）", "sales at applicable rates (line 1)",
              inp.sales_13 + inp.sales_9 + inp.sales_6, "13%、9%、6%税率销售额合计", "sum of sales by rate",
              report=True)
    output = ZERO
    for key, sales, pname, zh in (("13", inp.sales_13, "vat.rate_standard", "13%"),
                                  ("9", inp.sales_9, "vat.rate_reduced", "9%"),
                                  ("6", inp.sales_6, "vat.rate_services", "6%")):
        if sales:
            rate = params.at(pname, p)
            output += res.money(f"output_{key}", f"{zh}税率销项税额", f"output tax at {zh}", sales * rate.value,
                                f"{sales} × {rate.value}", "sales × rate", (rate,))
    if inp.output_tax_entered:
        output += res.money("output_entered", "按附列资料填报的销项税额", "output tax as entered",
                            inp.output_tax_entered)
    res.money("line_5", "（二）按简易办法计税销售额（第5栏）", "simplified-method sales (line 5)",
              inp.simplified_sales_3 + inp.simplified_sales_5 + inp.simplified_inspection_sales,
              "附列资料（一）简易计税销售额 + 第6栏纳税检查调整的销售额",
              "simplified-method sales of schedule 1 + line 6 (inspection adjustments)", report=True)
    res.money("line_6", "其中：纳税检查调整的销售额（第6栏）", "of which adjusted on inspection (line 6)",
              inp.simplified_inspection_sales, report=True)
    res.money("line_7", "（三）免、抵、退办法出口销售额（第7栏）", "exempt-credit-refund exports (line 7)",
              inp.export_sales, report=True)
    res.money("line_8", "（四）免税销售额（第8栏）", "exempt sales (line 8)", inp.exempt_sales, "9+10", "9+10",
              report=True)
    line11 = res.money("line_11", "销项税额（第11栏）", "output tax (line 11)", output, "各税率销项税额合计",
                       "sum of output tax by rate", report=True)
    res.money("line_12", "进项税额（第12栏）", "input tax (line 12)", inp.input_tax, report=True)
    res.money("line_13", "上期留抵税额（第13栏）", "credit brought forward (line 13)", inp.previous_credit, report=True)
    res.money("line_14", "进项税额转出（第14栏）", "input tax transferred out (line 14)", inp.input_transfer_out,
              report=True)
    res.money("line_15", "免、抵、退应退税额（第15栏）", "exempt-credit-refund refund (line 15)", inp.export_refund,
              report=True)
    res.money("line_16", "纳税检查应补缴税额（第16栏）", "tax due from inspection (line 16)", inp.inspection_tax,
              report=True)
    line17 = res.money("line_17", "应抵扣税额合计（第17栏）", "total creditable input tax (line 17)",
                       inp.input_tax + inp.previous_credit - inp.input_transfer_out - inp.export_refund
                       + inp.inspection_tax, "12+13−14−15+16", "12+13−14−15+16", report=True)
    line18 = res.money("line_18", "实际抵扣税额（第18栏）", "input tax actually credited (line 18)",
                       line17 if line17 < line11 else line11, "如17<11，则为17，否则为11",
                       "line 17 if below line 11, else line 11", report=True)
    used = _super_credit(res, params, inp, line11 - line18)
    line19 = res.money("line_19", "应纳税额（第19栏）", "tax payable, general method (line 19)",
                       line11 - line18 - used, "11−18−加计抵减本期实际抵减额",
                       "11−18− additional credit used this period", report=True)
    res.money("line_20", "期末留抵税额（第20栏）", "credit carried forward (line 20)", line17 - line18, "17−18",
              "17−18", report=True)
    simple = ZERO
    for key, sales, pname in (("3", inp.simplified_sales_3, "vat.levy_rate"),
                              ("5", inp.simplified_sales_5, "vat.levy_rate_immovable")):
        if sales:
            rate = params.at(pname, p)
            simple += res.money(f"simplified_tax_{key}", f"简易计税应纳税额（{key}%征收率）",
                                f"simplified-method tax at {key} %", sales * rate.value, f"{sales} × {rate.value}",
                                "sales × levy rate", (rate,))
    if inp.simplified_tax_entered:
        simple += res.money("simplified_tax_entered", "按附列资料填报的简易计税应纳税额",
                            "simplified-method tax as entered", inp.simplified_tax_entered)
    line21 = res.money("line_21", "简易计税办法计算的应纳税额（第21栏）", "simplified-method tax (line 21)", simple,
                       "不含第22栏纳税检查应补缴税额", "excluding line 22 (inspection)", report=True)
    res.money("line_22", "按简易计税办法计算的纳税检查应补缴税额（第22栏）",
              "tax due from inspection, simplified method (line 22)", inp.simplified_inspection_tax, report=True)
    if inp.tax_reduction > line19 + line21:
        raise ValidationFailure("tax_reduction", "应纳税额减征额（第23栏）不能超过第19栏与第21栏之和",
                                "tax reduction (line 23) cannot exceed lines 19 + 21", str(inp.tax_reduction))
    res.money("line_23", "应纳税额减征额（第23栏）", "tax reduction (line 23)", inp.tax_reduction, report=True)
    line24 = res.money("line_24", "应纳税额合计（第24栏）", "total tax payable (line 24)",
                       line19 + line21 - inp.tax_reduction, "19+21−23", "19+21−23", report=True)
    _payments(res, inp, line24)
    return res


def _super_credit(res: Result, params: ParameterSet, inp: VatGeneralInput, before: Decimal) -> Decimal:
    """附列资料（四）二、加计抵减情况 第6行 一般项目: 可抵减额 = 期初余额 + 本期发生额 − 本期调减额; 实际抵减额
    不超过抵减前的应纳税额（第11栏 − 第18栏），余额结转下期。Any use while no policy is in force fails loudly."""
    current = ZERO
    rate_params: tuple = ()
    if inp.super_credit_class != "none" or inp.super_credit_opening or inp.super_credit_adjustment:
        rate = params.at("vat.super_credit.rate", inp.period)
        rate_params = (rate,)
        res.note("super_credit_policy", "加计抵减政策", "additional credit policy",
                 SUPER_CREDIT[inp.super_credit_class], TEXT, params=rate_params)
        if inp.super_credit_class != "none":
            if inp.super_credit_excluded_input > inp.input_tax:
                raise ValidationFailure("super_credit_excluded_input",
                                        "不得计提加计抵减额的进项税额不能超过第12栏进项税额",
                                        "input tax not eligible for the additional credit cannot exceed line 12",
                                        str(inp.super_credit_excluded_input))
            ratio = rate.value[inp.super_credit_class]
            base = res.money("super_credit_base", "可计提加计抵减额的进项税额", "input tax eligible for the credit",
                             inp.input_tax - inp.super_credit_excluded_input, "第12栏 − 不得计提加计抵减额的进项税额",
                             "line 12 − input tax not eligible")
            current = base * ratio
            formula = (f"{base} × {ratio}", "eligible input tax × ratio")
        else:
            formula = ("未适用加计抵减政策，不计提", "no policy applies: nothing accrues")
    else:
        formula = ("未适用加计抵减政策，不计提", "no policy applies: nothing accrues")
    res.money("super_credit_opening", "加计抵减额期初余额", "additional credit: opening balance",
              inp.super_credit_opening, "上期期末余额", "last period's closing balance", report=True)
    current = res.money("super_credit_current", "加计抵减额本期发生额", "additional credit accrued this period",
                        current, *formula, rate_params, report=True)
    res.money("super_credit_adjustment", "加计抵减额本期调减额", "additional credit reduced this period",
              inp.super_credit_adjustment, "已计提加计抵减额的进项税额转出 × 比例",
              "input tax transferred out on which the credit was accrued × ratio", report=True)
    available = res.money("super_credit_available", "加计抵减额本期可抵减额", "additional credit available",
                          inp.super_credit_opening + current - inp.super_credit_adjustment,
                          "期初余额+本期发生额−本期调减额", "opening + accrued − reduced", report=True)
    res.money("tax_before_credit", "抵减前的应纳税额", "tax payable before the additional credit", before, "11−18",
              "11−18")
    used = res.money("super_credit_used", "加计抵减额本期实际抵减额", "additional credit used this period",
                     max(min(available, before), ZERO), "可抵减额与抵减前应纳税额（11−18）之较小者，不小于0",
                     "the smaller of the credit available and the tax before it (11−18), not below 0", rate_params,
                     report=True)
    res.money("super_credit_closing", "加计抵减额期末余额", "additional credit: closing balance", available - used,
              "本期可抵减额 − 本期实际抵减额", "available − used", report=True)
    return used


def _payments(res: Result, inp: VatGeneralInput, line24: Decimal) -> None:
    """税款缴纳: lines 25–34 and 36–38 (国家税务总局公告2021年第20号 主表栏次公式)."""
    res.money("line_25", "期初未缴税额（第25栏，多缴为负数）", "tax unpaid at the start (line 25)",
              inp.opening_unpaid, "上期申报表第32栏", "line 32 of the previous return", report=True)
    res.money("line_26", "实收出口开具专用缴款书退税额（第26栏）", "refund on export payment certificates (line 26)",
              inp.export_refund_received, report=True)
    line27 = res.money("line_27", "本期已缴税额（第27栏）", "tax paid this period (line 27)",
                       inp.prepaid + inp.export_prepaid + inp.paid_previous + inp.paid_arrears, "28+29+30+31",
                       "28+29+30+31", report=True)
    for key, no, zh, en, value in (("line_28", 28, "①分次预缴税额", "prepaid in instalments", inp.prepaid),
                                   ("line_29", 29, "②出口开具专用缴款书预缴税额", "prepaid on export certificates",
                                    inp.export_prepaid),
                                   ("line_30", 30, "③本期缴纳上期应纳税额", "last period's tax paid",
                                    inp.paid_previous),
                                   ("line_31", 31, "④本期缴纳欠缴税额", "arrears paid", inp.paid_arrears)):
        res.money(key, f"{zh}（第{no}栏）", f"{en} (line {no})", value, report=True)
    unpaid = inp.opening_unpaid + inp.export_refund_received
    res.money("line_32", "期末未缴税额（第32栏，多缴为负数）", "tax unpaid at the end (line 32; overpaid negative)",
              line24 + unpaid - line27, "24+25+26−27", "24+25+26−27", report=True)
    res.money("line_33", "其中：欠缴税额（第33栏）", "of which arrears (line 33)", max(unpaid - line27, ZERO),
              "25+26−27（不小于0）", "25+26−27, not below 0", report=True)
    res.money("line_34", "本期应补（退）税额（第34栏）", "tax due (refund) this period (line 34)",
              line24 - inp.prepaid - inp.export_prepaid, "24−28−29", "24−28−29", report=True)
    res.money("line_36", "期初未缴查补税额（第36栏）", "inspection tax unpaid at the start (line 36)",
              inp.opening_inspection_unpaid, "上期申报表第38栏", "line 38 of the previous return", report=True)
    res.money("line_37", "本期入库查补税额（第37栏）", "inspection tax paid this period (line 37)",
              inp.inspection_paid, report=True)
    res.money("line_38", "期末未缴查补税额（第38栏）", "inspection tax unpaid at the end (line 38)",
              inp.inspection_tax + inp.simplified_inspection_tax + inp.opening_inspection_unpaid
              - inp.inspection_paid, "16+22+36−37", "16+22+36−37", report=True)


@dataclass
class VatSmallScaleInput:
    """增值税及附加税费申报表（小规模纳税人适用）"""

    period: Period = period("所属期（按月或按季）", "tax period (month or quarter)")
    sales_3: Decimal = money("适用3%征收率的不含税销售额（货物、劳务、服务、无形资产）",
                             "sales excl. VAT ordinarily at 3 % (goods, services, intangibles)", 0)
    immovable_sales: Decimal = money("销售不动产不含税销售额（5%征收率）", "sales of immovables excl. VAT (5 %)", 0)
    other_sales_5: Decimal = money("其他5%征收率不含税销售额（如出租不动产）",
                                   "other sales excl. VAT at 5 % (e.g. leasing immovables)", 0)
    used_assets_sales: Decimal = money("销售使用过的固定资产和旧货不含税销售额（第7栏）",
                                       "sales of used fixed assets and second-hand goods excl. VAT (line 7)", 0)
    other_exempt_sales: Decimal = money("其他免税销售额（第12栏，如免征增值税项目）",
                                        "other exempt sales (line 12, e.g. exempt items)", 0)
    prepaid: Decimal = money("本期预缴税额（第21栏）", "tax prepaid this period (line 21)", 0)


@calculator("vat_small_scale", "增值税小规模纳税人申报", "VAT return, small-scale taxpayer", VatSmallScaleInput)
def vat_small_scale(inp: VatSmallScaleInput, params: ParameterSet) -> Result:
    res, p = Result(), inp.period
    which = "month" if p.kind == MONTH else "quarter"
    threshold = params.at(f"vat.small_scale.threshold_{which}", p)
    carve_out = params.at("vat.small_scale.threshold_excludes_immovable", p)
    total = inp.sales_3 + inp.immovable_sales + inp.other_sales_5 + inp.used_assets_sales
    tested = total - inp.immovable_sales if carve_out.value else total
    res.money("sales_total", "本期销售额合计（不含第12栏其他免税销售额）",
              "total sales of the period (excluding other exempt sales, line 12)", total)
    res.money("sales_tested", "用于判断起征点的销售额", "sales tested against the threshold", tested,
              "扣除销售不动产销售额" if carve_out.value else "全部销售额",
              "excluding sales of immovables" if carve_out.value else "all sales", (carve_out,))
    exempt = res.note("exempt", "未超过免税标准（起征点）", "not above the exemption threshold",
                      tested <= threshold.value, FLAG, f"{tested} ≤ {threshold.value}", "sales ≤ threshold",
                      (threshold,))
    levy = params.at("vat.levy_rate", p)
    immovable_taxed = not exempt or carve_out.value
    exempt_sales = (inp.sales_3 + inp.other_sales_5 + inp.used_assets_sales
                    + (ZERO if immovable_taxed else inp.immovable_sales) if exempt else ZERO)
    sales_3 = ZERO if exempt else inp.sales_3
    used = ZERO if exempt else inp.used_assets_sales
    sales_5 = (ZERO if exempt else inp.other_sales_5) + (inp.immovable_sales if immovable_taxed else ZERO)
    res.money("line_1", "应征增值税不含税销售额（3%征收率）（第1栏）", "taxable sales at 3 % (line 1)", sales_3,
              report=True)
    res.money("line_4", "应征增值税不含税销售额（5%征收率）（第4栏）", "taxable sales at 5 % (line 4)", sales_5,
              report=True)
    res.money("line_7", "销售使用过的固定资产不含税销售额（第7栏）", "taxable sales of used fixed assets (line 7)",
              used, report=True)
    line10 = ZERO
    where_params: tuple = ()
    if exempt_sales:
        where = params.at("vat.small_scale.exempt_sales_line", p)
        where_params = (where,)
        res.note("exempt_line", "免税销售额填报栏次", "line for exempt sales", where.value, "text", params=where_params)
        line10 = exempt_sales if str(where.value).startswith("第10栏") else ZERO
    res.money("line_9", "免税销售额（第9栏）", "exempt sales (line 9)", exempt_sales + inp.other_exempt_sales,
              "10+11+12", "10+11+12", report=True)
    res.money("line_10", "小微企业免税销售额（第10栏）", "exempt sales of small businesses (line 10)", line10,
              "未超过免税标准的销售额（按填报栏次）", "sales under the threshold (on the line the parameter names)",
              where_params, report=True)
    res.money("line_11", "未达起征点销售额（第11栏）", "sales below the threshold (line 11)", exempt_sales - line10,
              "未超过起征点的销售额（按填报栏次）", "sales under the threshold (on the line the parameter names)",
              where_params, report=True)
    res.money("line_12", "其他免税销售额（第12栏）", "other exempt sales (line 12)", inp.other_exempt_sales,
              report=True)
    tax_3 = tax_3_statutory = tax_used = tax_used_statutory = tax_5 = ZERO
    line15_params: tuple = ()
    if sales_3:
        reduced = params.at("vat.small_scale.reduced_levy_rate", p)
        tax_3 = res.money("tax_3_reduced", "3%征收率项目按减按征收率计算的税额", "tax at the reduced levy rate",
                          sales_3 * reduced.value, f"{sales_3} × {reduced.value}", "sales × reduced rate", (reduced,))
        tax_3_statutory = res.money("tax_3_statutory", "3%征收率项目按法定征收率计算的税额",
                                    "tax at the statutory levy rate", sales_3 * levy.value,
                                    f"{sales_3} × {levy.value}", "sales × levy rate", (levy,))
        line15_params = (levy, reduced)
    if used:
        used_rate = params.at("vat.small_scale.used_assets_levy_rate", p)
        tax_used = res.money("tax_used_reduced", "销售使用过的固定资产按减按征收率计算的税额",
                             "used fixed assets: tax at the reduced rate", used * used_rate.value,
                             f"{used} × {used_rate.value}", "sales × reduced rate", (used_rate,))
        tax_used_statutory = res.money("tax_used_statutory", "销售使用过的固定资产按法定征收率计算的税额",
                                       "used fixed assets: tax at the statutory levy rate", used * levy.value,
                                       f"{used} × {levy.value}", "sales × levy rate", (levy,))
        line15_params += (levy, used_rate)
    if sales_5:
        rate5 = params.at("vat.levy_rate_immovable", p)
        tax_5 = res.money("tax_5", "5%征收率项目税额", "tax at 5 %", sales_5 * rate5.value,
                          f"{sales_5} × {rate5.value}", "sales × 5 %", (rate5,))
        line15_params += (rate5,)
    on16 = params.at("vat.small_scale.reduction_on_line16", p) if sales_3 or used else None
    statutory = bool(on16 and on16.value)
    line15 = tax_3_statutory + tax_used_statutory + tax_5 if statutory else tax_3 + tax_used + tax_5
    line15 = res.money("line_15", "本期应纳税额（第15栏）", "tax payable (line 15)", line15,
                       "按3%计算（减征额填第16栏）" if statutory else "按适用征收率计算",
                       "at 3 % (reduction on line 16)" if statutory else "at the applied levy rates",
                       line15_params + ((on16,) if on16 else ()), report=True)
    line16 = res.money("line_16", "本期应纳税额减征额（第16栏）", "tax reduction (line 16)",
                       tax_3_statutory - tax_3 + tax_used_statutory - tax_used if statutory else ZERO,
                       "按3%计算的税额 − 按减按征收率计算的税额", "tax at 3 % − tax at the reduced rate", report=True)
    line9 = exempt_sales + inp.other_exempt_sales
    res.money("line_17", "本期免税额（第17栏）", "tax exempted (line 17)", line9 * levy.value,
              f"免税销售额（第9栏）× 征收率 {levy.value}", "exempt sales (line 9) × levy rate", (levy,), report=True)
    res.money("line_18", "小微企业免税额（第18栏）", "tax exempted for small businesses (line 18)",
              line10 * levy.value, "第10栏 × 征收率", "line 10 × levy rate", (levy,), report=True)
    res.money("line_19", "未达起征点免税额（第19栏）", "tax exempted below the threshold (line 19)",
              (exempt_sales - line10) * levy.value, "第11栏 × 征收率", "line 11 × levy rate", (levy,), report=True)
    line20 = res.money("line_20", "应纳税额合计（第20栏）", "total tax payable (line 20)", line15 - line16, "15−16",
                       "15−16", report=True)
    res.money("line_21", "本期预缴税额（第21栏）", "tax prepaid (line 21)", inp.prepaid, report=True)
    res.money("line_22", "本期应补（退）税额（第22栏）", "tax due (refund) (line 22)", line20 - inp.prepaid, "20−21",
              "20−21", report=True)
    return res
