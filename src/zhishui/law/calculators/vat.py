"""增值税: general taxpayer return (main table, general items) and small-scale taxpayer return."""

# The inputs.* field helpers return dataclasses.field(...), which RUF009 cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from zhishui.core.errors import ValidationFailure
from zhishui.core.money import ZERO
from zhishui.core.periods import MONTH, Period

from ..breakdown import FLAG, Result
from ..inputs import money, period
from ..parameters import ParameterSet
from ..registry import calculator


@dataclass
class VatGeneralInput:
    """增值税及附加税费申报表（一般纳税人适用）主表“一般项目”"""

    period: Period = period("所属期", "tax period")
    sales_13: Decimal = money("适用13%税率的销售额", "sales at 13 %", 0)
    sales_9: Decimal = money("适用9%税率的销售额", "sales at 9 %", 0)
    sales_6: Decimal = money("适用6%税率的销售额", "sales at 6 %", 0)
    simplified_sales_3: Decimal = money("简易计税销售额（3%征收率）", "simplified-method sales at 3 %", 0)
    simplified_sales_5: Decimal = money("简易计税销售额（5%征收率）", "simplified-method sales at 5 %", 0)
    export_sales: Decimal = money("免、抵、退办法出口销售额", "exports under exempt-credit-refund", 0)
    exempt_sales: Decimal = money("免税销售额", "exempt sales", 0)
    input_tax: Decimal = money("进项税额（第12栏）", "input tax (line 12)", 0)
    previous_credit: Decimal = money("上期留抵税额（第13栏）", "credit carried from last period (line 13)", 0)
    input_transfer_out: Decimal = money("进项税额转出（第14栏）", "input tax transferred out (line 14)", 0)
    export_refund: Decimal = money("免、抵、退应退税额（第15栏）", "exempt-credit-refund refund (line 15)", 0)
    inspection_tax: Decimal = money("按适用税率计算的纳税检查应补缴税额（第16栏）",
                                    "tax due from inspection at applicable rates (line 16)", 0)
    tax_reduction: Decimal = money("应纳税额减征额（第23栏）", "tax reduction (line 23)", 0)


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
    res.money("line_5", "（二）按简易办法计税销售额（第5栏）", "simplified-method sales (line 5)",
              inp.simplified_sales_3 + inp.simplified_sales_5, report=True)
    res.money("line_7", "（三）免、抵、退办法出口销售额（第7栏）", "exempt-credit-refund exports (line 7)",
              inp.export_sales, report=True)
    res.money("line_8", "（四）免税销售额（第8栏）", "exempt sales (line 8)", inp.exempt_sales, report=True)
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
    line19 = res.money("line_19", "应纳税额（第19栏）", "tax payable, general method (line 19)", line11 - line18,
                       "11−18", "11−18", report=True)
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
    line21 = res.money("line_21", "简易计税办法计算的应纳税额（第21栏）", "simplified-method tax (line 21)", simple,
                       report=True)
    if inp.tax_reduction > line19 + line21:
        raise ValidationFailure("tax_reduction", "应纳税额减征额（第23栏）不能超过第19栏与第21栏之和",
                                "tax reduction (line 23) cannot exceed lines 19 + 21", str(inp.tax_reduction))
    res.money("line_23", "应纳税额减征额（第23栏）", "tax reduction (line 23)", inp.tax_reduction, report=True)
    res.money("line_24", "应纳税额合计（第24栏）", "total tax payable (line 24)", line19 + line21 - inp.tax_reduction,
              "19+21−23", "19+21−23", report=True)
    return res


@dataclass
class VatSmallScaleInput:
    """增值税及附加税费申报表（小规模纳税人适用）"""

    period: Period = period("所属期（按月或按季）", "tax period (month or quarter)")
    sales_3: Decimal = money("适用3%征收率的不含税销售额（货物、劳务、服务、无形资产）",
                             "sales excl. VAT ordinarily at 3 % (goods, services, intangibles)", 0)
    immovable_sales: Decimal = money("销售不动产不含税销售额（5%征收率）", "sales of immovables excl. VAT (5 %)", 0)
    other_sales_5: Decimal = money("其他5%征收率不含税销售额（如出租不动产）",
                                   "other sales excl. VAT at 5 % (e.g. leasing immovables)", 0)
    prepaid: Decimal = money("本期预缴税额（第21栏）", "tax prepaid this period (line 21)", 0)


@calculator("vat_small_scale", "增值税小规模纳税人申报", "VAT return, small-scale taxpayer", VatSmallScaleInput)
def vat_small_scale(inp: VatSmallScaleInput, params: ParameterSet) -> Result:
    res, p = Result(), inp.period
    which = "month" if p.kind == MONTH else "quarter"
    threshold = params.at(f"vat.small_scale.threshold_{which}", p)
    carve_out = params.at("vat.small_scale.threshold_excludes_immovable", p)
    total = inp.sales_3 + inp.immovable_sales + inp.other_sales_5
    tested = total - inp.immovable_sales if carve_out.value else total
    res.money("sales_total", "本期销售额合计", "total sales of the period", total)
    res.money("sales_tested", "用于判断起征点的销售额", "sales tested against the threshold", tested,
              "扣除销售不动产销售额" if carve_out.value else "全部销售额",
              "excluding sales of immovables" if carve_out.value else "all sales", (carve_out,))
    exempt = res.note("exempt", "未超过免税标准（起征点）", "not above the exemption threshold",
                      tested <= threshold.value, FLAG, f"{tested} ≤ {threshold.value}", "sales ≤ threshold",
                      (threshold,))
    levy = params.at("vat.levy_rate", p)
    immovable_taxed = not exempt or carve_out.value
    exempt_sales = (inp.sales_3 + inp.other_sales_5 + (ZERO if immovable_taxed else inp.immovable_sales)
                    if exempt else ZERO)
    sales_3 = ZERO if exempt else inp.sales_3
    sales_5 = (ZERO if exempt else inp.other_sales_5) + (inp.immovable_sales if immovable_taxed else ZERO)
    res.money("line_1", "应征增值税不含税销售额（3%征收率）（第1栏）", "taxable sales at 3 % (line 1)", sales_3,
              report=True)
    res.money("line_4", "应征增值税不含税销售额（5%征收率）（第4栏）", "taxable sales at 5 % (line 4)", sales_5,
              report=True)
    res.money("line_9", "免税销售额（第9栏）", "exempt sales (line 9)", exempt_sales, report=True)
    if exempt_sales:
        where = params.at("vat.small_scale.exempt_sales_line", p)
        res.note("exempt_line", "免税销售额填报栏次", "line for exempt sales", where.value, "text", params=(where,))
    tax_3 = tax_3_statutory = tax_5 = ZERO
    line15_params: tuple = ()
    if sales_3:
        reduced = params.at("vat.small_scale.reduced_levy_rate", p)
        tax_3 = res.money("tax_3_reduced", "3%征收率项目按减按征收率计算的税额", "tax at the reduced levy rate",
                          sales_3 * reduced.value, f"{sales_3} × {reduced.value}", "sales × reduced rate", (reduced,))
        tax_3_statutory = res.money("tax_3_statutory", "3%征收率项目按法定征收率计算的税额",
                                    "tax at the statutory levy rate", sales_3 * levy.value,
                                    f"{sales_3} × {levy.value}", "sales × levy rate", (levy,))
        line15_params = (levy, reduced)
    if sales_5:
        rate5 = params.at("vat.levy_rate_immovable", p)
        tax_5 = res.money("tax_5", "5%征收率项目税额", "tax at 5 %", sales_5 * rate5.value,
                          f"{sales_5} × {rate5.value}", "sales × 5 %", (rate5,))
        line15_params += (rate5,)
    on16 = params.at("vat.small_scale.reduction_on_line16", p) if sales_3 else None
    line15 = tax_3_statutory + tax_5 if on16 and on16.value else tax_3 + tax_5
    line15 = res.money("line_15", "本期应纳税额（第15栏）", "tax payable (line 15)", line15,
                       "按3%计算（减征额填第16栏）" if on16 and on16.value else "按适用征收率计算",
                       "at 3 % (reduction on line 16)" if on16 and on16.value else "at the applied levy rates",
                       line15_params + ((on16,) if on16 else ()), report=True)
    line16 = res.money("line_16", "本期应纳税额减征额（第16栏）", "tax reduction (line 16)",
                       tax_3_statutory - tax_3 if on16 and on16.value else ZERO,
                       "按3%计算的税额 − 按1%计算的税额", "tax at 3 % − tax at 1 %", report=True)
    res.money("line_17", "本期免税额（第17栏）", "tax exempted (line 17)", exempt_sales * levy.value,
              f"免税销售额 × 征收率 {levy.value}", "exempt sales × levy rate", (levy,), report=True)
    line20 = res.money("line_20", "应纳税额合计（第20栏）", "total tax payable (line 20)", line15 - line16, "15−16",
                       "15−16", report=True)
    res.money("line_21", "本期预缴税额（第21栏）", "tax prepaid (line 21)", inp.prepaid, report=True)
    res.money("line_22", "本期应补（退）税额（第22栏）", "tax due (refund) (line 22)", line20 - inp.prepaid, "20−21",
              "20−21", report=True)
    return res
