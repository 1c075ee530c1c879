"""The return forms: their cells line by line, and how derived cells follow from the others.

A cell is ``input`` (pre-filled from the platform's data, the taxpayer may change it), ``entry``
(what the platform cannot know: the taxpayer adds it; pre-filled with zero or a carried value) or
``derived`` (computed from the other cells by the law calculators — never typed).

Layouts follow 国家税务总局公告2021年第20号 (增值税及附加税费申报表, still in use for 2026 periods with the
line instructions of 国家税务总局公告2026年第6号), the 财产和行为税纳税申报表 (国家税务总局公告2021年第9号) and
the A200000 CIT prepayment return (国家税务总局公告2021年第3号, adjusted by 2025年第17号). Every amount and
rate comes from ``zhishui.law``; this module only maps cells to calculator inputs and results.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.conf import settings

from zhishui.core.errors import ValidationFailure
from zhishui.core.money import ZERO, fen
from zhishui.core.periods import MONTH, QUARTER, Period
from zhishui.law.parameters import default_parameters
from zhishui.law.registry import get

INPUT, ENTRY, DERIVED = "input", "entry", "derived"
_TRACE: ContextVar[bool] = ContextVar("filing_trace", default=True)


@dataclass(frozen=True)
class Cell:
    key: str
    no: str  # line number on the form ("1", "附1-13%货物")
    label_zh: str
    label_en: str
    kind: str
    negative: bool = False  # the form allows a negative amount here
    section: str = ""
    kind_of_value: str = "money"  # money / count / rate


@dataclass
class Computed:
    """``calc``, ``params`` and ``formulas`` are filled only when ``trace`` is asked for."""

    values: dict[str, Decimal]  # every cell
    calc: dict[str, list[dict]]  # derived cell -> calculator lines
    params: dict[str, list[dict]]  # derived cell -> parameter versions
    formulas: dict[str, tuple[str, str]]
    results: dict[str, dict]  # calculator name -> amounts (for the check "equals the law")
    flags: dict[str, object]


@dataclass(frozen=True, eq=False)
class Form:
    code: str
    title_zh: str
    title_en: str
    period_kinds: tuple[str, ...]
    tax_item: str
    cells: tuple[Cell, ...]
    basis: str = ""  # the form's layout and the document that sets it
    depends: tuple[tuple[str, tuple[str, ...]], ...] = ()  # derived cell -> the cells it sums (for traces)

    def cell(self, key: str) -> Cell:
        for c in self.cells:
            if c.key == key:
                return c
        raise KeyError(key)

    @cached_property
    def editable(self) -> list[str]:
        return [c.key for c in self.cells if c.kind != DERIVED]

    @cached_property
    def kinds(self) -> dict[str, str]:
        return {c.key: c.kind_of_value for c in self.cells}


def _params():
    return default_parameters(settings.ZHISHUI_DISTRICT)


def _run(name: str, payload: dict):
    return get(name).calculate(payload, _params())


def _s(value: Decimal) -> str:
    return f"{fen(value):.2f}"


def _lines(result, keys=None, prefix: tuple[str, ...] = ()) -> tuple[list[dict], list[dict]]:
    if not _TRACE.get():
        return [], []
    lines = [ln for ln in result.lines if (keys is None or ln.key in keys) or ln.key.startswith(prefix or ("\0",))]
    params: dict[tuple, dict] = {}
    for ln in lines:
        for p in ln.params:
            params.setdefault((p.name, p.start), p.as_dict())
    return [ln.as_dict() for ln in lines], list(params.values())


# --------------------------------------------------------------------------------------------- VAT

_SURCHARGE_CELLS = {
    "urban_maintenance_tax": ("城市维护建设税本期应补（退）税额", "urban maintenance and construction tax due"),
    "education_surcharge": ("教育费附加本期应补（退）费额", "education surcharge due"),
    "local_education_surcharge": ("地方教育附加本期应补（退）费额", "local education surcharge due"),
}

_AT_RATES = ("sales_13_goods", "sales_13_services", "sales_9_goods", "sales_9_services", "sales_6")
_SMALL_SALES = ("sales_3_special", "sales_3_other", "sales_3_unbilled")

VAT_GENERAL = Form(
    "vat_general", "增值税及附加税费申报表（一般纳税人适用）", "VAT and surcharges return (general taxpayer)",
    (MONTH,), "vat", (
        Cell("sales_13_goods", "附一 1", "13%税率的货物及加工修理修配劳务 销售额",
             "sales of goods and processing at 13 %",
             INPUT, section="schedule1"),
        Cell("sales_13_services", "附一 2", "13%税率的服务、不动产和无形资产 销售额",
             "sales of services, immovables and intangibles at 13 %", INPUT, section="schedule1"),
        Cell("sales_9_goods", "附一 4", "9%税率的货物及加工修理修配劳务 销售额", "sales of goods at 9 %", INPUT,
             section="schedule1"),
        Cell("sales_9_services", "附一 5", "9%税率的服务、不动产和无形资产 销售额",
             "sales of services, immovables and intangibles at 9 %", INPUT, section="schedule1"),
        Cell("sales_6", "附一 6", "6%税率 销售额", "sales at 6 %", INPUT, section="schedule1"),
        Cell("sales_simple_3", "附一 9a", "简易计税 3%征收率 销售额", "simplified method, 3 % levy rate", INPUT,
             section="schedule1"),
        Cell("sales_simple_5", "附一 9b", "简易计税 5%征收率 销售额", "simplified method, 5 % levy rate", INPUT,
             section="schedule1"),
        Cell("line_1", "1", "（一）按适用税率计税销售额", "sales at applicable rates", DERIVED, section="sales"),
        Cell("line_2", "2", "其中：应税货物销售额", "of which: taxable goods", DERIVED, section="sales"),
        Cell("line_3", "3", "应税劳务（服务、不动产和无形资产）销售额", "taxable services, immovables, intangibles",
             DERIVED, section="sales"),
        Cell("line_5", "5", "（二）按简易办法计税销售额", "sales under the simplified method",
             DERIVED, section="sales"),
        Cell("line_7", "7", "（三）免、抵、退办法出口销售额", "exports under exempt-credit-refund", ENTRY,
             section="sales"),
        Cell("line_8", "8", "（四）免税销售额", "exempt sales", INPUT, section="sales"),
        Cell("line_11", "11", "销项税额", "output tax", DERIVED, section="tax"),
        Cell("line_12", "12", "进项税额", "input tax", INPUT, section="tax"),
        Cell("line_13", "13", "上期留抵税额", "credit brought forward", INPUT, section="tax"),
        Cell("line_14", "14", "进项税额转出", "input tax transferred out", ENTRY, section="tax"),
        Cell("line_15", "15", "免、抵、退应退税额", "exempt-credit-refund refund", ENTRY, section="tax"),
        Cell("line_17", "17", "应抵扣税额合计", "total creditable input tax", DERIVED, section="tax"),
        Cell("line_18", "18", "实际抵扣税额", "input tax actually credited", DERIVED, section="tax"),
        Cell("line_19", "19", "应纳税额", "tax payable, general method", DERIVED, section="tax"),
        Cell("line_20", "20", "期末留抵税额", "credit carried forward", DERIVED, section="tax"),
        Cell("line_21", "21", "简易计税办法计算的应纳税额", "tax under the simplified method", DERIVED, section="tax"),
        Cell("line_23", "23", "应纳税额减征额", "tax reduction", ENTRY, section="tax"),
        Cell("line_24", "24", "应纳税额合计", "total tax payable", DERIVED, section="tax"),
        Cell("line_34", "34", "本期应补（退）税额", "tax due this period", DERIVED, section="payment"),
        Cell("line_39", "39", *_SURCHARGE_CELLS["urban_maintenance_tax"], DERIVED, section="surcharges"),
        Cell("line_40", "40", *_SURCHARGE_CELLS["education_surcharge"], DERIVED, section="surcharges"),
        Cell("line_41", "41", *_SURCHARGE_CELLS["local_education_surcharge"], DERIVED, section="surcharges"),
    ), "国家税务总局公告2021年第20号（增值税及附加税费申报表），"
       "2026年所属期按国家税务总局公告2026年第6号调整后的栏次说明填报",
    (("line_1", _AT_RATES), ("line_11", _AT_RATES), ("line_2", ("sales_13_goods", "sales_9_goods")),
     ("line_3", ("sales_13_services", "sales_9_services", "sales_6")), ("line_5", ("sales_simple_3", "sales_simple_5")),
     ("line_21", ("sales_simple_3", "sales_simple_5"))))

VAT_SMALL = Form(
    "vat_small_scale", "增值税及附加税费申报表（小规模纳税人适用）", "VAT and surcharges return (small-scale taxpayer)",
    (MONTH, QUARTER), "vat", (
        Cell("sales_3_special", "1a", "3%征收率项目 增值税专用发票销售额（含减按1%开具）",
             "3 % items invoiced on special VAT invoices (incl. at 1 %)", INPUT, section="schedule"),
        Cell("sales_3_other", "1b", "3%征收率项目 其他发票销售额（含减按1%、免税开具）",
             "3 % items on other invoices (incl. at 1 % and exempt)", INPUT, section="schedule"),
        Cell("sales_3_unbilled", "1c", "3%征收率项目 未开具发票销售额", "3 % items not invoiced", ENTRY,
             section="schedule"),
        Cell("sales_5", "4a", "5%征收率项目 已开具发票销售额（如出租不动产）",
             "5 % items invoiced (e.g. leasing immovables)",
             INPUT, section="schedule"),
        Cell("immovable_sales", "4b", "销售不动产不含税销售额", "sales of immovables, excl. VAT", ENTRY,
             section="schedule"),
        Cell("line_1", "1", "（一）应征增值税不含税销售额（3%征收率）", "taxable sales at 3 %",
             DERIVED, section="sales"),
        Cell("line_2", "2", "其中：增值税专用发票不含税销售额", "of which: on special VAT invoices", DERIVED,
             section="sales"),
        Cell("line_3", "3", "其他增值税发票不含税销售额", "on other invoices or not invoiced",
             DERIVED, section="sales"),
        Cell("line_4", "4", "（二）应征增值税不含税销售额（5%征收率）", "taxable sales at 5 %",
             DERIVED, section="sales"),
        Cell("line_9", "9", "（四）免税销售额", "exempt sales", DERIVED, section="sales"),
        Cell("line_15", "15", "本期应纳税额", "tax payable", DERIVED, section="tax"),
        Cell("line_16", "16", "本期应纳税额减征额", "tax reduction", DERIVED, section="tax"),
        Cell("line_17", "17", "本期免税额", "tax exempted", DERIVED, section="tax"),
        Cell("line_20", "20", "应纳税额合计", "total tax payable", DERIVED, section="tax"),
        Cell("line_21", "21", "本期预缴税额", "tax prepaid", ENTRY, section="tax"),
        Cell("line_22", "22", "本期应补（退）税额", "tax due (refund)", DERIVED, negative=True, section="tax"),
        Cell("line_23", "23", *_SURCHARGE_CELLS["urban_maintenance_tax"], DERIVED, section="surcharges"),
        Cell("line_24", "24", *_SURCHARGE_CELLS["education_surcharge"], DERIVED, section="surcharges"),
        Cell("line_25", "25", *_SURCHARGE_CELLS["local_education_surcharge"], DERIVED, section="surcharges"),
    ), "国家税务总局公告2021年第20号（增值税及附加税费申报表（小规模纳税人适用）），"
       "2026年所属期按国家税务总局公告2026年第6号调整后的栏次说明填报",
    (("line_1", _SMALL_SALES), ("line_2", ("sales_3_special",)), ("line_3", ("sales_3_other", "sales_3_unbilled")),
     ("line_4", ("sales_5", "immovable_sales")), ("line_9", (*_SMALL_SALES, "sales_5", "immovable_sales")),
     ("line_15", (*_SMALL_SALES, "sales_5", "immovable_sales"))))


def _surcharges(comp: Computed, period: Period, vat_paid: Decimal, sales: Decimal, profile: dict,
                cells: dict[str, str]) -> None:
    payload = {"period": str(period), "vat_paid": _s(max(vat_paid, ZERO)), "sales": _s(max(sales, ZERO)),
               "halving_eligible": bool(profile.get("halving_eligible"))}
    if profile.get("urban_class") in ("city", "county_town", "other"):
        payload["location_class"] = profile["urban_class"]
    res = _run("surcharges", payload)
    comp.results["surcharges"] = {k: _s(v) for k, v in res.amounts.items()}
    shared = ("base", "location_class", "fees_exempt", "refund_carried")
    for key, cell in cells.items():
        comp.values[cell] = res.amounts[key]
        comp.calc[cell], comp.params[cell] = _lines(res, {key, *shared}, (key,))
        comp.formulas[cell] = ("附加税费计算器：计税依据 × 税率 − 减免", "surcharges calculator: base × rate − relief")
    comp.flags["surcharges_total"] = res.amounts["total"]


def compute_vat_general(v: dict[str, Decimal], period: Period, profile: dict) -> Computed:
    comp = Computed(dict(v), {}, {}, {}, {}, {})
    s13 = v["sales_13_goods"] + v["sales_13_services"]
    s9 = v["sales_9_goods"] + v["sales_9_services"]
    res = _run("vat_general", {
        "period": str(period), "sales_13": _s(s13), "sales_9": _s(s9), "sales_6": _s(v["sales_6"]),
        "simplified_sales_3": _s(v["sales_simple_3"]), "simplified_sales_5": _s(v["sales_simple_5"]),
        "export_sales": _s(v["line_7"]), "exempt_sales": _s(v["line_8"]), "input_tax": _s(v["line_12"]),
        "previous_credit": _s(v["line_13"]), "input_transfer_out": _s(v["line_14"]),
        "export_refund": _s(v["line_15"]), "tax_reduction": _s(v["line_23"])})
    comp.results["vat_general"] = {k: _s(val) for k, val in res.amounts.items()}
    parts = {"line_11": ("output_",), "line_21": ("simplified_tax_",)}
    for key in ("line_1", "line_5", "line_11", "line_17", "line_18", "line_19", "line_20", "line_21", "line_24"):
        comp.values[key] = res.amounts[key]
        comp.calc[key], comp.params[key] = _lines(res, {key}, parts.get(key, ()))
        line = res.line(key)
        comp.formulas[key] = (line.formula_zh, line.formula_en)
    comp.values["line_2"] = v["sales_13_goods"] + v["sales_9_goods"]
    comp.formulas["line_2"] = ("附列资料（一）13%、9%税率货物销售额之和", "goods at 13 % and 9 % from schedule 1")
    comp.values["line_3"] = v["sales_13_services"] + v["sales_9_services"] + v["sales_6"]
    comp.formulas["line_3"] = ("附列资料（一）13%、9%、6%税率服务、不动产和无形资产销售额之和",
                               "services, immovables and intangibles at 13/9/6 % from schedule 1")
    comp.values["line_34"] = res.amounts["line_24"]
    comp.formulas["line_34"] = ("24−28−29（本期无预缴）", "24−28−29 (no prepayment this period)")
    sales = res.amounts["line_1"] + res.amounts["line_5"] + v["line_7"] + v["line_8"]
    _surcharges(comp, period, res.amounts["line_24"], sales, profile,
                {"urban_maintenance_tax": "line_39", "education_surcharge": "line_40",
                 "local_education_surcharge": "line_41"})
    comp.flags["vat"] = res.amounts["line_24"]
    return comp


def compute_vat_small(v: dict[str, Decimal], period: Period, profile: dict) -> Computed:
    comp = Computed(dict(v), {}, {}, {}, {}, {})
    sales_3 = v["sales_3_special"] + v["sales_3_other"] + v["sales_3_unbilled"]
    res = _run("vat_small_scale", {
        "period": str(period), "sales_3": _s(sales_3), "immovable_sales": _s(v["immovable_sales"]),
        "other_sales_5": _s(v["sales_5"]), "prepaid": _s(v["line_21"])})
    comp.results["vat_small_scale"] = {k: _s(val) for k, val in res.amounts.items()}
    parts = {"line_15": ("tax_",), "line_9": ("exempt", "sales_"), "line_1": ("exempt", "sales_")}
    for key in ("line_1", "line_4", "line_9", "line_15", "line_16", "line_17", "line_20", "line_22"):
        comp.values[key] = res.amounts[key]
        comp.calc[key], comp.params[key] = _lines(res, {key}, parts.get(key, ()))
        line = res.line(key)
        comp.formulas[key] = (line.formula_zh, line.formula_en)
    line1 = res.amounts["line_1"]
    comp.values["line_2"] = v["sales_3_special"] if line1 else ZERO
    comp.values["line_3"] = line1 - comp.values["line_2"]
    comp.formulas["line_2"] = ("专用发票销售额（未超过起征点时为0）", "special-invoice sales (0 when exempt)")
    comp.formulas["line_3"] = ("第1栏 − 第2栏", "line 1 − line 2")
    sales = sales_3 + v["sales_5"] + v["immovable_sales"]
    _surcharges(comp, period, res.amounts["line_22"], sales, profile,
                {"urban_maintenance_tax": "line_23", "education_surcharge": "line_24",
                 "local_education_surcharge": "line_25"})
    comp.flags["vat"] = max(res.amounts["line_22"], ZERO)
    comp.flags["exempt"] = bool(res.line("exempt").value)
    return comp


# --------------------------------------------------------------------------------------------- CIT

CIT_QUARTERLY = Form(
    "cit_quarterly", "企业所得税月（季）度预缴纳税申报表（A类）", "Enterprise income tax prepayment return (A)",
    (QUARTER,), "cit", (
        Cell("line_1", "1", "营业收入（本年累计）", "revenue, year to date", INPUT, section="profit"),
        Cell("line_2", "2", "营业成本（本年累计）", "cost of sales, year to date", INPUT, section="profit"),
        Cell("line_3", "3", "利润总额（本年累计）", "total profit, year to date",
             ENTRY, negative=True, section="profit"),
        Cell("line_8", "8", "减：所得减免（研发费用加计扣除，费用化研发支出）", "R&D expensed (super-deduction base)",
             ENTRY,
             section="profit"),
        Cell("line_9", "9", "减：弥补以前年度亏损", "prior-year losses offset", ENTRY, section="profit"),
        Cell("line_10", "10", "实际利润额（应纳税所得额）", "taxable income, year to date", DERIVED, negative=True,
             section="profit"),
        Cell("employees_start", "附 1", "本季度季初从业人数", "headcount at quarter start", INPUT, section="facts",
             kind_of_value="count"),
        Cell("employees_end", "附 2", "本季度季末从业人数", "headcount at quarter end", INPUT, section="facts",
             kind_of_value="count"),
        Cell("assets_start", "附 3", "本季度季初资产总额（元）", "total assets at quarter start",
             ENTRY, section="facts"),
        Cell("assets_end", "附 4", "本季度季末资产总额（元）", "total assets at quarter end", ENTRY, section="facts"),
        Cell("small_low_profit", "附 5", "小型微利企业（1 = 是）", "small low-profit enterprise (1 = yes)", DERIVED,
             section="facts", kind_of_value="count"),
        Cell("line_12", "12", "应纳所得税额（本年累计）", "tax, year to date", DERIVED, section="tax"),
        Cell("line_14", "14", "减：本年实际已缴纳所得税额", "tax prepaid in earlier quarters", INPUT, section="tax"),
        Cell("line_16", "16", "本期应补（退）所得税额", "tax due this quarter", DERIVED, section="tax"),
    ), "国家税务总局公告2021年第3号（A200000），按国家税务总局公告2025年第17号调整")


def compute_cit(v: dict[str, Decimal], period: Period, profile: dict) -> Computed:
    comp = Computed(dict(v), {}, {}, {}, {}, {})
    history = profile.get("cit_quarters") or []  # earlier quarters of the year: [{"start","end","assets_start",…}]
    employees = [{"start": str(q["employees_start"]), "end": str(q["employees_end"])} for q in history]
    assets = [{"start": str(q["assets_start"]), "end": str(q["assets_end"])} for q in history]
    employees.append({"start": str(v["employees_start"]), "end": str(v["employees_end"])})
    assets.append({"start": _s(v["assets_start"]), "end": _s(v["assets_end"])})
    res = _run("cit_quarterly", {
        "period": str(period), "cumulative_profit": _s(v["line_3"]), "employees_by_quarter": employees,
        "assets_by_quarter": assets, "cumulative_rd_expensed": _s(v["line_8"]),
        "loss_carried_forward": _s(v["line_9"]), "prepaid_this_year": _s(v["line_14"]),
        "negative_list_industry": bool(profile.get("rd_negative_list")),
        "restricted_industry": False, "hnte": False})
    comp.results["cit_quarterly"] = {k: _s(val) for k, val in res.amounts.items()}
    comp.values["line_10"] = res.amounts["taxable_income"]
    comp.calc["line_10"], comp.params["line_10"] = _lines(res, {"taxable_income"}, ("rd", "loss"))
    comp.formulas["line_10"] = ("3 − 8（加计扣除）− 9", "3 − 8 (super-deduction) − 9")
    slp = next((ln for ln in res.lines if ln.key == "small_low_profit"), None)
    comp.values["small_low_profit"] = Decimal(1 if slp is not None and slp.value else 0)
    comp.calc["small_low_profit"], comp.params["small_low_profit"] = _lines(
        res, {"small_low_profit", "employees_avg", "assets_avg", "effective_rate"})
    comp.formulas["small_low_profit"] = ("应纳税所得额、从业人数、资产总额季度平均值均不超过标准",
                                         "income, average headcount and average assets within the limits")
    comp.values["line_12"] = res.amounts["cumulative_tax"]
    comp.calc["line_12"], comp.params["line_12"] = _lines(res, {"cumulative_tax", "effective_rate"})
    comp.formulas["line_12"] = ("实际利润额 × 实际税率", "taxable income × effective rate")
    comp.values["line_16"] = res.amounts["tax_due"]
    comp.calc["line_16"], comp.params["line_16"] = _lines(res, {"tax_due"})
    comp.formulas["line_16"] = ("12 − 14（不低于0）", "12 − 14, not below 0")
    comp.flags["cit"] = res.amounts["tax_due"]
    comp.flags["small_low_profit"] = bool(comp.values["small_low_profit"])
    return comp


# --------------------------------------------------------------------------- property and behaviour

PROPERTY = Form(
    "property_behaviour", "财产和行为税纳税申报表", "Property and behaviour taxes return", (QUARTER,), "property", (
        Cell("property_value", "房1", "从价计征房产原值（本期应税月份折算前）", "original value of self-used property",
             INPUT, section="property"),
        Cell("property_value_months", "房2", "从价计征应税月份数（本期）", "months taxed on value this period", INPUT,
             section="property", kind_of_value="count"),
        Cell("property_rent", "房3", "本期租金收入（不含增值税）", "rent received this period, excl. VAT", INPUT,
             section="property"),
        Cell("property_tax", "房4", "房产税本期应缴税额", "house property tax payable", DERIVED, section="property"),
        Cell("land_area", "土1", "应税土地面积（平方米）", "taxable land area (m²)", INPUT, section="land",
             kind_of_value="quantity"),
        Cell("land_grade", "土2", "土地等级", "land grade", INPUT, section="land", kind_of_value="count"),
        Cell("land_months", "土3", "本期应税月份数", "months taxable this period", INPUT, section="land",
             kind_of_value="count"),
        Cell("land_use_tax", "土4", "城镇土地使用税本期应缴税额", "urban land-use tax payable",
             DERIVED, section="land"),
        Cell("stamp_sale", "印1", "买卖合同计税依据（据购销发票）", "sale contracts, taxable amount (from invoices)",
             INPUT,
             section="stamp"),
        Cell("stamp_property_transfer", "印2", "产权转移书据计税依据（据不动产交易）",
             "property transfer deeds, taxable amount (from real estate transactions)", INPUT, section="stamp"),
        Cell("stamp_lease", "印3", "租赁合同计税依据", "lease contracts, taxable amount", ENTRY, section="stamp"),
        Cell("stamp_tax", "印4", "印花税本期应缴税额", "stamp duty payable", DERIVED, section="stamp"),
        Cell("deed_price", "契1", "承受土地、房屋权属成交价格", "price of land or buildings acquired", INPUT,
             section="deed"),
        Cell("deed_tax", "契2", "契税应缴税额", "deed tax payable", DERIVED, section="deed"),
        Cell("lat_proceeds", "土增1", "转让房地产收入（不含增值税）", "proceeds from transfers of real estate", INPUT,
             section="lat"),
        Cell("lat_land_cost", "土增2", "取得土地使用权所支付的金额", "cost of the land-use right",
             ENTRY, section="lat"),
        Cell("lat_development_cost", "土增3", "房地产开发成本", "development cost", ENTRY, section="lat"),
        Cell("lat_taxes", "土增4", "与转让房地产有关的税金", "taxes related to the transfer", ENTRY, section="lat"),
        Cell("lat_tax", "土增5", "土地增值税应缴税额", "land appreciation tax payable", DERIVED, section="lat"),
        Cell("total", "合计", "本期应补（退）税额合计", "total tax due this period", DERIVED, section="total"),
    ), "国家税务总局公告2021年第9号（财产和行为税纳税申报表）",
    (("stamp_tax", ("stamp_sale", "stamp_property_transfer", "stamp_lease")),))


def compute_property(v: dict[str, Decimal], period: Period, profile: dict) -> Computed:
    comp = Computed(dict(v), {}, {}, {}, {}, {})
    halving = bool(profile.get("halving_eligible"))
    year = str(period.year)
    total = ZERO
    # 房产税: the calculator gives the annual amount for the months taxed; this period's months are entered.
    if v["property_value"] or v["property_rent"]:
        res = _run("property", {"period": year, "original_value": _s(v["property_value"]),
                                "months_by_value": int(v["property_value_months"]),
                                "rent": _s(v["property_rent"]), "halving_eligible": halving})
        comp.values["property_tax"] = res.amounts["payable"]
        comp.calc["property_tax"], comp.params["property_tax"] = _lines(res)
        comp.results["property"] = {k: _s(x) for k, x in res.amounts.items()}
    else:
        comp.values["property_tax"] = ZERO
    comp.formulas["property_tax"] = ("房产税计算器（从价：原值×(1−减除比例)×1.2%×月份/12；从租：租金×12%）",
                                     "property calculator (value × (1 − deduction) × 1.2 % × months/12; rent × 12 %)")
    total += comp.values["property_tax"]
    if v["land_area"] and v["land_grade"] and v["land_months"]:
        res = _run("land_use", {"period": year, "area_m2": format(v["land_area"], "f"),
                                "grade": int(v["land_grade"]), "months": int(v["land_months"]),
                                "halving_eligible": halving})
        comp.values["land_use_tax"] = res.amounts["payable"]
        comp.calc["land_use_tax"], comp.params["land_use_tax"] = _lines(res)
        comp.results["land_use"] = {k: _s(x) for k, x in res.amounts.items()}
    else:
        comp.values["land_use_tax"] = ZERO
    comp.formulas["land_use_tax"] = ("城镇土地使用税计算器：面积 × 等级单位税额 × 月份/12",
                                     "land-use calculator: area × amount per m² of the grade × months/12")
    total += comp.values["land_use_tax"]
    docs = [{"item": item, "amount": _s(v[cell]), "date": period.end.isoformat()}
            for item, cell in (("sale", "stamp_sale"), ("property_transfer", "stamp_property_transfer"),
                               ("lease", "stamp_lease")) if v[cell] > 0]
    if docs:
        res = _run("stamp", {"documents": docs, "halving_eligible": halving})
        comp.values["stamp_tax"] = res.amounts["total"]
        comp.calc["stamp_tax"], comp.params["stamp_tax"] = _lines(res)
        comp.results["stamp"] = {k: _s(x) for k, x in res.amounts.items()}
    else:
        comp.values["stamp_tax"] = ZERO
    comp.formulas["stamp_tax"] = ("印花税计算器：计税依据 × 税目税率", "stamp calculator: amount × rate of the item")
    total += comp.values["stamp_tax"]
    if v["deed_price"] > 0:
        res = _run("deed", {"date": period.end.isoformat(), "price": _s(v["deed_price"])})
        key = next(iter(res.amounts))
        comp.values["deed_tax"] = res.amounts[key]
        comp.calc["deed_tax"], comp.params["deed_tax"] = _lines(res)
        comp.results["deed"] = {k: _s(x) for k, x in res.amounts.items()}
    else:
        comp.values["deed_tax"] = ZERO
    comp.formulas["deed_tax"] = ("契税计算器：成交价格 × 税率", "deed calculator: price × rate")
    total += comp.values["deed_tax"]
    if v["lat_proceeds"] > 0:
        res = _run("lat", {"date": period.end.isoformat(), "proceeds": _s(v["lat_proceeds"]),
                           "land_cost": _s(v["lat_land_cost"]), "development_cost": _s(v["lat_development_cost"]),
                           "taxes": _s(v["lat_taxes"])})
        comp.values["lat_tax"] = res.amounts["tax"]
        comp.calc["lat_tax"], comp.params["lat_tax"] = _lines(res)
        comp.results["lat"] = {k: _s(x) for k, x in res.amounts.items()}
    else:
        comp.values["lat_tax"] = ZERO
    comp.formulas["lat_tax"] = ("土地增值税计算器：增值额 × 税率 − 扣除项目 × 速算扣除系数",
                                "LAT calculator: value added × rate − deductions × coefficient")
    total += comp.values["lat_tax"]
    comp.values["total"] = total
    comp.formulas["total"] = ("各税种本期应缴税额之和", "sum of the taxes payable")
    comp.flags["property_total"] = total
    return comp


FORMS: dict[str, Form] = {f.code: f for f in (VAT_GENERAL, VAT_SMALL, CIT_QUARTERLY, PROPERTY)}
COMPUTE = {"vat_general": compute_vat_general, "vat_small_scale": compute_vat_small, "cit_quarterly": compute_cit,
           "property_behaviour": compute_property}


def render(form_: Form, key: str, value: Decimal) -> str:
    """A cell value as stored and shown: money to the fen, counts whole, quantities as given."""
    kind = form_.kinds.get(key, "money")
    if kind == "count":
        return str(int(value))
    if kind == "quantity":
        return f"{value:.2f}"
    return f"{fen(value):.2f}"


def form(code: str) -> Form:
    try:
        return FORMS[code]
    except KeyError:
        raise ValidationFailure("form", f"没有名为「{code}」的申报表", f"no return form named '{code}'", code,
                                code="not_found") from None


def compute(code: str, values: dict[str, Decimal], period: Period, profile: dict, *,
            trace: bool = True) -> Computed:
    """All cells of the form from its editable cells; ``trace=False`` skips the calculator lines (batch)."""
    token = _TRACE.set(trace)
    try:
        return COMPUTE[code](values, period, profile)
    finally:
        _TRACE.reset(token)


def decimals(values: dict[str, str]) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in values.items()}


def evaluate(code: str, values: dict[str, Decimal], period: Period, profile: dict, *, trace: bool = True
             ) -> tuple[dict[str, str], list[dict], Decimal, Computed | None]:
    """A return from its editable cells: every cell rendered, the law's objections, the amount payable
    and the computation (None, with the objections and nothing payable, when the law refuses the inputs)."""
    form_ = form(code)
    try:
        comp = compute(code, values, period, profile, trace=trace)
    except ValidationFailure as exc:
        return {k: render(form_, k, v) for k, v in values.items()}, [e.as_dict() for e in exc.errors], ZERO, None
    return ({k: render(form_, k, v) for k, v in comp.values.items()}, [],
            fen(sum(payable_items(code, comp).values(), ZERO)), comp)


def payable_items(code: str, comp: Computed) -> dict[str, Decimal]:
    """What filing this form makes payable, by tax (the payment lines)."""
    v = comp.values
    if code == "vat_general":
        return {"vat": v["line_34"], "urban_maintenance_tax": v["line_39"], "education_surcharge": v["line_40"],
                "local_education_surcharge": v["line_41"]}
    if code == "vat_small_scale":
        return {"vat": max(v["line_22"], ZERO), "urban_maintenance_tax": v["line_23"],
                "education_surcharge": v["line_24"], "local_education_surcharge": v["line_25"]}
    if code == "cit_quarterly":
        return {"cit": v["line_16"]}
    return {"property_tax": v["property_tax"], "land_use_tax": v["land_use_tax"], "stamp_duty": v["stamp_tax"],
            "deed_tax": v["deed_tax"], "lat": v["lat_tax"]}
