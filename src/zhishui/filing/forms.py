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
from dataclasses import dataclass, replace
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
    column: str = ""  # "" : the form's (一般项目) column; "refund": the 即征即退项目 column of the general return
    ytd: bool = True  # a 本年累计 (sum of the year's returns) is shown; False for balances and choices


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
_SMALL_5 = ("sales_5_special", "sales_5", "immovable_sales")
R = "refund"  # the 即征即退项目 column of the general return's main table


def _g(key: str, no: str, zh: str, en: str, kind: str, section: str, *, refund: str | None = None,
       ytd: bool = True, negative: bool = False) -> tuple[Cell, ...]:
    """A main-table line of the general return: the 一般项目 cell and, when the line has one, its 即征即退项目
    cell (``refund``: its kind)."""
    cells = (Cell(key, no, zh, en, kind, negative, section, ytd=ytd),)
    if refund:
        cells += (Cell(f"jz_{key}", no, zh, en, refund, negative, section, column=R, ytd=ytd),)
    return cells


VAT_GENERAL = Form(
    "vat_general", "增值税及附加税费申报表（一般纳税人适用）", "VAT and surcharges return (general taxpayer)",
    (MONTH,), "vat", (
        # 主表 — 销售额
        *_g("line_1", "1", "（一）按适用税率计税销售额", "sales at applicable rates", DERIVED, "sales", refund=DERIVED),
        *_g("line_2", "2", "其中：应税货物销售额", "of which: taxable goods", DERIVED, "sales", refund=ENTRY),
        *_g("line_3", "3", "应税劳务（服务、不动产和无形资产）销售额", "taxable services, immovables, intangibles",
            DERIVED, "sales", refund=ENTRY),
        *_g("line_4", "4", "纳税检查调整的销售额（已含在第1栏）", "sales adjusted on inspection (within line 1)", ENTRY,
            "sales", refund=ENTRY),
        *_g("line_5", "5", "（二）按简易办法计税销售额", "sales under the simplified method", DERIVED, "sales",
            refund=ENTRY),
        *_g("line_6", "6", "其中：纳税检查调整的销售额", "of which: adjusted on inspection", ENTRY, "sales",
            refund=ENTRY),
        *_g("line_7", "7", "（三）免、抵、退办法出口销售额", "exports under exempt-credit-refund", ENTRY, "sales"),
        *_g("line_8", "8", "（四）免税销售额", "exempt sales", DERIVED, "sales"),
        *_g("line_9", "9", "其中：免税货物销售额", "of which: exempt goods", INPUT, "sales"),
        *_g("line_10", "10", "免税劳务（服务、不动产和无形资产）销售额", "exempt services, immovables, intangibles",
            INPUT, "sales"),
        # 主表 — 税款计算
        *_g("line_11", "11", "销项税额", "output tax", DERIVED, "tax", refund=ENTRY),
        *_g("line_12", "12", "进项税额", "input tax", INPUT, "tax", refund=ENTRY),
        *_g("line_13", "13", "上期留抵税额", "credit brought forward", INPUT, "tax", refund=INPUT, ytd=False),
        *_g("line_14", "14", "进项税额转出", "input tax transferred out", ENTRY, "tax", refund=ENTRY),
        *_g("line_15", "15", "免、抵、退应退税额", "exempt-credit-refund refund", ENTRY, "tax"),
        *_g("line_16", "16", "按适用税率计算的纳税检查应补缴税额", "tax due from inspection at applicable rates", ENTRY,
            "tax", refund=ENTRY),
        *_g("line_17", "17", "应抵扣税额合计", "total creditable input tax", DERIVED, "tax", refund=DERIVED,
            ytd=False),
        *_g("line_18", "18", "实际抵扣税额", "input tax actually credited", DERIVED, "tax", refund=DERIVED),
        *_g("line_19", "19", "应纳税额", "tax payable, general method", DERIVED, "tax", refund=DERIVED),
        *_g("line_20", "20", "期末留抵税额", "credit carried forward", DERIVED, "tax", refund=DERIVED, ytd=False),
        *_g("line_21", "21", "简易计税办法计算的应纳税额", "tax under the simplified method", DERIVED, "tax",
            refund=ENTRY),
        *_g("line_22", "22", "按简易计税办法计算的纳税检查应补缴税额", "tax due from inspection, simplified method",
            ENTRY, "tax", refund=ENTRY),
        *_g("line_23", "23", "应纳税额减征额", "tax reduction", ENTRY, "tax", refund=ENTRY),
        *_g("line_24", "24", "应纳税额合计", "total tax payable", DERIVED, "tax", refund=DERIVED),
        # 主表 — 税款缴纳
        *_g("line_25", "25", "期初未缴税额（多缴为负数）", "tax unpaid at the start (overpaid negative)", INPUT,
            "payment", refund=INPUT, ytd=False, negative=True),
        *_g("line_26", "26", "实收出口开具专用缴款书退税额", "refund received on export payment certificates", ENTRY,
            "payment"),
        *_g("line_27", "27", "本期已缴税额", "tax paid this period", DERIVED, "payment", refund=DERIVED),
        *_g("line_28", "28", "①分次预缴税额", "① prepaid in instalments", ENTRY, "payment"),
        *_g("line_29", "29", "②出口开具专用缴款书预缴税额", "② prepaid on export payment certificates", ENTRY,
            "payment"),
        *_g("line_30", "30", "③本期缴纳上期应纳税额", "③ last period's tax paid this period", INPUT, "payment",
            refund=INPUT),
        *_g("line_31", "31", "④本期缴纳欠缴税额", "④ arrears paid this period", INPUT, "payment", refund=INPUT),
        *_g("line_32", "32", "期末未缴税额（多缴为负数）", "tax unpaid at the end (overpaid negative)", DERIVED,
            "payment", refund=DERIVED, ytd=False, negative=True),
        *_g("line_33", "33", "其中：欠缴税额（≥0）", "of which: arrears (≥ 0)", DERIVED, "payment", refund=DERIVED,
            ytd=False),
        *_g("line_34", "34", "本期应补（退）税额", "tax due (refund) this period", DERIVED, "payment", refund=DERIVED,
            ytd=False, negative=True),
        Cell("jz_line_35", "35", "即征即退实际退税额", "immediate refund actually received", ENTRY, section="payment",
             column=R),
        *_g("line_36", "36", "期初未缴查补税额", "inspection tax unpaid at the start", INPUT, "payment", ytd=False),
        *_g("line_37", "37", "本期入库查补税额", "inspection tax paid this period", ENTRY, "payment"),
        *_g("line_38", "38", "期末未缴查补税额", "inspection tax unpaid at the end", DERIVED, "payment", ytd=False),
        # 主表 — 附加税费
        Cell("line_39", "39", *_SURCHARGE_CELLS["urban_maintenance_tax"], DERIVED, section="surcharges"),
        Cell("line_40", "40", *_SURCHARGE_CELLS["education_surcharge"], DERIVED, section="surcharges"),
        Cell("line_41", "41", *_SURCHARGE_CELLS["local_education_surcharge"], DERIVED, section="surcharges"),
        # 附列资料（一）本期销售情况明细 (by rate; the platform sums the invoices)
        Cell("sales_13_goods", "附一 1", "13%税率的货物及加工修理修配劳务 销售额",
             "sales of goods and processing at 13 %", INPUT, section="schedule1"),
        Cell("sales_13_services", "附一 2", "13%税率的服务、不动产和无形资产 销售额",
             "sales of services, immovables and intangibles at 13 %", INPUT, section="schedule1"),
        Cell("sales_9_goods", "附一 3", "9%税率的货物及加工修理修配劳务 销售额", "sales of goods at 9 %", INPUT,
             section="schedule1"),
        Cell("sales_9_services", "附一 4", "9%税率的服务、不动产和无形资产 销售额",
             "sales of services, immovables and intangibles at 9 %", INPUT, section="schedule1"),
        Cell("sales_6", "附一 5", "6%税率 销售额", "sales at 6 %", INPUT, section="schedule1"),
        Cell("sales_simple_3", "附一 11–12", "简易计税 3%征收率 销售额", "simplified method, 3 % levy rate", INPUT,
             section="schedule1"),
        Cell("sales_simple_5", "附一 9a–9b", "简易计税 5%征收率 销售额", "simplified method, 5 % levy rate", INPUT,
             section="schedule1"),
        # 附列资料（四）税额抵减情况表 — 二、加计抵减情况 第6行 一般项目加计抵减额计算
        Cell("super_credit_class", "附四 适用", "加计抵减政策（0 = 不适用；1 = 先进制造业企业 5%；"
             "2 = 集成电路企业、工业母机企业 15%）",
             "additional credit policy (0 = none; 1 = advanced manufacturing 5 %; 2 = integrated circuits, "
             "industrial mother machines 15 %)", ENTRY, section="schedule4", kind_of_value="count", ytd=False),
        Cell("super_credit_opening", "附四 6-1", "一般项目加计抵减额 期初余额", "additional credit: opening balance",
             INPUT, True, "schedule4", ytd=False),
        Cell("super_credit_excluded", "附四 6-2a",
             "其中：不得计提加计抵减额的进项税额（出口货物劳务、跨境应税行为对应等）",
             "input tax not eligible for the credit (exports, cross-border supplies …)", ENTRY,
             section="schedule4"),
        Cell("super_credit_current", "附四 6-2", "一般项目加计抵减额 本期发生额",
             "additional credit accrued this period", DERIVED, section="schedule4"),
        Cell("super_credit_adjustment", "附四 6-3", "一般项目加计抵减额 本期调减额",
             "additional credit reduced this period", ENTRY, section="schedule4"),
        Cell("super_credit_available", "附四 6-4", "一般项目加计抵减额 本期可抵减额",
             "additional credit available this period", DERIVED, True, "schedule4", ytd=False),
        Cell("super_credit_used", "附四 6-5", "一般项目加计抵减额 本期实际抵减额", "additional credit used this period",
             DERIVED, section="schedule4"),
        Cell("super_credit_closing", "附四 6-6", "一般项目加计抵减额 期末余额", "additional credit: closing balance",
             DERIVED, True, "schedule4", ytd=False),
    ), "国家税务总局公告2021年第20号（增值税及附加税费申报表），"
       "2026年所属期按国家税务总局公告2026年第6号调整后的栏次说明填报",
    (("line_1", _AT_RATES), ("line_11", _AT_RATES), ("line_2", ("sales_13_goods", "sales_9_goods")),
     ("line_3", ("sales_13_services", "sales_9_services", "sales_6")),
     ("line_5", ("sales_simple_3", "sales_simple_5", "line_6")), ("line_8", ("line_9", "line_10")),
     ("line_21", ("sales_simple_3", "sales_simple_5")), ("line_27", ("line_28", "line_29", "line_30", "line_31")),
     ("jz_line_1", ("jz_line_2", "jz_line_3")), ("jz_line_27", ("jz_line_30", "jz_line_31"))))

VAT_SMALL = Form(
    "vat_small_scale", "增值税及附加税费申报表（小规模纳税人适用）", "VAT and surcharges return (small-scale taxpayer)",
    (MONTH, QUARTER), "vat", (
        Cell("line_1", "1", "（一）应征增值税不含税销售额（3%征收率）", "taxable sales at 3 %",
             DERIVED, section="sales"),
        Cell("line_2", "2", "其中：增值税专用发票不含税销售额", "of which: on special VAT invoices", DERIVED,
             section="sales"),
        Cell("line_3", "3", "其他增值税发票不含税销售额", "on other invoices or not invoiced",
             DERIVED, section="sales"),
        Cell("line_4", "4", "（二）应征增值税不含税销售额（5%征收率）", "taxable sales at 5 %",
             DERIVED, section="sales"),
        Cell("line_5", "5", "其中：增值税专用发票不含税销售额", "of which: on special VAT invoices", DERIVED,
             section="sales"),
        Cell("line_6", "6", "其他增值税发票不含税销售额", "on other invoices or not invoiced", DERIVED,
             section="sales"),
        Cell("line_7", "7", "（三）销售使用过的固定资产不含税销售额", "sales of used fixed assets", DERIVED,
             section="sales"),
        Cell("line_8", "8", "其中：其他增值税发票不含税销售额", "of which: on other invoices or not invoiced", DERIVED,
             section="sales"),
        Cell("line_9", "9", "（四）免税销售额", "exempt sales", DERIVED, section="sales"),
        Cell("line_10", "10", "其中：小微企业免税销售额", "of which: exempt sales of small businesses", DERIVED,
             section="sales"),
        Cell("line_11", "11", "未达起征点销售额", "sales below the threshold", DERIVED, section="sales"),
        Cell("line_12", "12", "其他免税销售额", "other exempt sales", ENTRY, section="sales"),
        Cell("line_13", "13", "（五）出口免税销售额", "exempt export sales", ENTRY, section="sales"),
        Cell("line_14", "14", "其中：其他增值税发票不含税销售额", "of which: on other invoices", ENTRY,
             section="sales"),
        Cell("line_15", "15", "本期应纳税额", "tax payable", DERIVED, section="tax"),
        Cell("line_16", "16", "本期应纳税额减征额", "tax reduction", DERIVED, section="tax"),
        Cell("line_17", "17", "本期免税额", "tax exempted", DERIVED, section="tax"),
        Cell("line_18", "18", "其中：小微企业免税额", "of which: exempted for small businesses", DERIVED,
             section="tax"),
        Cell("line_19", "19", "未达起征点免税额", "exempted below the threshold", DERIVED, section="tax"),
        Cell("line_20", "20", "应纳税额合计", "total tax payable", DERIVED, section="tax"),
        Cell("line_21", "21", "本期预缴税额", "tax prepaid", ENTRY, section="tax"),
        Cell("line_22", "22", "本期应补（退）税额", "tax due (refund)", DERIVED, negative=True, section="tax"),
        Cell("line_23", "23", *_SURCHARGE_CELLS["urban_maintenance_tax"], DERIVED, section="surcharges"),
        Cell("line_24", "24", *_SURCHARGE_CELLS["education_surcharge"], DERIVED, section="surcharges"),
        Cell("line_25", "25", *_SURCHARGE_CELLS["local_education_surcharge"], DERIVED, section="surcharges"),
        # The sales the platform sums from the invoices (and what the taxpayer adds), before the threshold test.
        Cell("sales_3_special", "1a", "3%征收率项目 增值税专用发票销售额（含减按1%开具）",
             "3 % items invoiced on special VAT invoices (incl. at 1 %)", INPUT, section="schedule"),
        Cell("sales_3_other", "1b", "3%征收率项目 其他发票销售额（含减按1%、免税开具）",
             "3 % items on other invoices (incl. at 1 % and exempt)", INPUT, section="schedule"),
        Cell("sales_3_unbilled", "1c", "3%征收率项目 未开具发票销售额", "3 % items not invoiced", ENTRY,
             section="schedule"),
        Cell("sales_5_special", "4a", "5%征收率项目 增值税专用发票销售额", "5 % items invoiced on special VAT invoices",
             INPUT, section="schedule"),
        Cell("sales_5", "4b", "5%征收率项目 其他发票销售额（如出租不动产）",
             "5 % items on other invoices (e.g. leasing immovables)", INPUT, section="schedule"),
        Cell("immovable_sales", "4c", "销售不动产不含税销售额", "sales of immovables, excl. VAT", ENTRY,
             section="schedule"),
        Cell("used_assets", "7a", "销售使用过的固定资产和旧货不含税销售额（未计入1a–1c栏的）",
             "sales of used fixed assets and second-hand goods (not in 1a–1c)", ENTRY, section="schedule"),
        Cell("used_assets_special", "7b", "其中：开具增值税专用发票的销售额",
             "of which: invoiced on special VAT invoices", ENTRY, section="schedule"),
    ), "国家税务总局公告2021年第20号（增值税及附加税费申报表（小规模纳税人适用）），"
       "2026年所属期按国家税务总局公告2026年第6号调整后的栏次说明填报",
    (("line_1", _SMALL_SALES), ("line_2", ("sales_3_special",)), ("line_3", ("sales_3_other", "sales_3_unbilled")),
     ("line_4", _SMALL_5), ("line_5", ("sales_5_special",)), ("line_6", ("sales_5", "immovable_sales")),
     ("line_7", ("used_assets",)), ("line_8", ("used_assets",)),
     ("line_9", (*_SMALL_SALES, *_SMALL_5, "used_assets", "line_12")),
     ("line_15", (*_SMALL_SALES, *_SMALL_5, "used_assets"))))

SUPER_CREDIT_CLASSES = ("none", "advanced_manufacturing", "ic_mother_machine")  # cell values 0, 1, 2


def super_credit_class(value: Decimal) -> str:
    """The 加计抵减 policy the taxpayer chose (cell ``super_credit_class``: 0, 1 or 2)."""
    if value == value.to_integral_value() and 0 <= value < len(SUPER_CREDIT_CLASSES):
        return SUPER_CREDIT_CLASSES[int(value)]
    raise ValidationFailure("super_credit_class", "附列资料（四）加计抵减政策应填0（不适用）、1（先进制造业企业）"
                            "或2（集成电路企业、工业母机企业）",
                            "schedule 4: the additional credit policy is 0 (none), 1 (advanced manufacturing) or 2 "
                            "(integrated circuits, industrial mother machines)", str(value))


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


def _take(comp: Computed, res, keys: tuple[str, ...], parts: dict[str, tuple[str, ...]], prefix: str = "") -> None:
    """Derived cells ``prefix + key`` from the calculator's reported line ``key``, with their trace."""
    for key in keys:
        cell = prefix + key
        comp.values[cell] = res.amounts[key]
        comp.calc[cell], comp.params[cell] = _lines(res, {key}, parts.get(key, ()))
        line = res.line(key)
        comp.formulas[cell] = (line.formula_zh, line.formula_en)


# The derived cells of the general return that the calculator reports under the same name.
GENERAL_FROM_LAW = ("line_1", "line_5", "line_8", "line_11", "line_17", "line_18", "line_19", "line_20", "line_21",
                    "line_24", "line_27", "line_32", "line_33", "line_34", "line_38", "super_credit_current",
                    "super_credit_available", "super_credit_used", "super_credit_closing")
REFUND_FROM_LAW = ("line_17", "line_18", "line_19", "line_20", "line_24", "line_27", "line_32", "line_33",
                   "line_34")


def general_payload(v: dict[str, Decimal], period: Period) -> dict:
    """The ``vat_general`` calculator's input for the 一般项目 column and 附列资料（四）."""
    return {
        "period": str(period), "sales_13": _s(v["sales_13_goods"] + v["sales_13_services"]),
        "sales_9": _s(v["sales_9_goods"] + v["sales_9_services"]), "sales_6": _s(v["sales_6"]),
        "simplified_sales_3": _s(v["sales_simple_3"]), "simplified_sales_5": _s(v["sales_simple_5"]),
        "simplified_inspection_sales": _s(v["line_6"]), "export_sales": _s(v["line_7"]),
        "exempt_sales": _s(v["line_9"] + v["line_10"]), "input_tax": _s(v["line_12"]),
        "previous_credit": _s(v["line_13"]), "input_transfer_out": _s(v["line_14"]),
        "export_refund": _s(v["line_15"]), "inspection_tax": _s(v["line_16"]),
        "super_credit_class": super_credit_class(v["super_credit_class"]),
        "super_credit_opening": _s(v["super_credit_opening"]),
        "super_credit_excluded_input": _s(v["super_credit_excluded"]),
        "super_credit_adjustment": _s(v["super_credit_adjustment"]),
        "simplified_inspection_tax": _s(v["line_22"]), "tax_reduction": _s(v["line_23"]),
        "opening_unpaid": _s(v["line_25"]), "export_refund_received": _s(v["line_26"]), "prepaid": _s(v["line_28"]),
        "export_prepaid": _s(v["line_29"]), "paid_previous": _s(v["line_30"]), "paid_arrears": _s(v["line_31"]),
        "opening_inspection_unpaid": _s(v["line_36"]), "inspection_paid": _s(v["line_37"])}


def refund_payload(v: dict[str, Decimal], period: Period) -> dict:
    """The ``vat_general`` calculator's input for the 即征即退项目 column (output and simplified tax entered)."""
    return {
        "period": str(period), "output_tax_entered": _s(v["jz_line_11"]), "input_tax": _s(v["jz_line_12"]),
        "previous_credit": _s(v["jz_line_13"]), "input_transfer_out": _s(v["jz_line_14"]),
        "inspection_tax": _s(v["jz_line_16"]), "simplified_tax_entered": _s(v["jz_line_21"]),
        "simplified_inspection_tax": _s(v["jz_line_22"]), "tax_reduction": _s(v["jz_line_23"]),
        "opening_unpaid": _s(v["jz_line_25"]), "paid_previous": _s(v["jz_line_30"]),
        "paid_arrears": _s(v["jz_line_31"])}


def _refund_column(payload: dict):
    """The 即征即退 column through the same calculator; its objections name the column."""
    try:
        return _run("vat_general", payload)
    except ValidationFailure as exc:
        raise ValidationFailure(errors=[replace(e, field=f"jz_{e.field}", message_zh=f"即征即退项目：{e.message_zh}",
                                                message_en=f"immediate-refund items: {e.message_en}")
                                        for e in exc.errors]) from None


def compute_vat_general(v: dict[str, Decimal], period: Period, profile: dict) -> Computed:
    comp = Computed(dict(v), {}, {}, {}, {}, {})
    res = _run("vat_general", general_payload(v, period))
    comp.results["vat_general"] = {k: _s(val) for k, val in res.amounts.items()}
    parts = {"line_11": ("output_",), "line_21": ("simplified_tax_",), "line_19": ("tax_before_credit",),
             "super_credit_current": ("super_credit_base", "super_credit_policy")}
    _take(comp, res, GENERAL_FROM_LAW, parts)
    comp.values["line_2"] = v["sales_13_goods"] + v["sales_9_goods"]
    comp.formulas["line_2"] = ("附列资料（一）13%、9%税率货物销售额之和", "goods at 13 % and 9 % from schedule 1")
    comp.values["line_3"] = v["sales_13_services"] + v["sales_9_services"] + v["sales_6"]
    comp.formulas["line_3"] = ("附列资料（一）13%、9%、6%税率服务、不动产和无形资产销售额之和",
                               "services, immovables and intangibles at 13/9/6 % from schedule 1")
    jz = _refund_column(refund_payload(v, period))
    comp.results["vat_general_refund"] = {k: _s(val) for k, val in jz.amounts.items()}
    _take(comp, jz, REFUND_FROM_LAW, {}, "jz_")
    comp.values["jz_line_1"] = v["jz_line_2"] + v["jz_line_3"]
    comp.formulas["jz_line_1"] = ("2+3（即征即退货物及劳务、服务不动产和无形资产销售额）",
                                  "2+3 (immediate-refund goods and services)")
    vat = max(res.amounts["line_34"], ZERO) + max(jz.amounts["line_34"], ZERO)
    sales = (res.amounts["line_1"] + res.amounts["line_5"] + v["line_7"] + res.amounts["line_8"]
             + comp.values["jz_line_1"] + v["jz_line_5"])
    _surcharges(comp, period, vat, sales, profile,
                {"urban_maintenance_tax": "line_39", "education_surcharge": "line_40",
                 "local_education_surcharge": "line_41"})
    comp.flags["vat"] = vat
    return comp


def compute_vat_small(v: dict[str, Decimal], period: Period, profile: dict) -> Computed:
    comp = Computed(dict(v), {}, {}, {}, {}, {})
    sales_3 = v["sales_3_special"] + v["sales_3_other"] + v["sales_3_unbilled"]
    res = _run("vat_small_scale", {
        "period": str(period), "sales_3": _s(sales_3), "immovable_sales": _s(v["immovable_sales"]),
        "other_sales_5": _s(v["sales_5_special"] + v["sales_5"]), "used_assets_sales": _s(v["used_assets"]),
        "other_exempt_sales": _s(v["line_12"]), "prepaid": _s(v["line_21"])})
    comp.results["vat_small_scale"] = {k: _s(val) for k, val in res.amounts.items()}
    exempt_parts = ("exempt", "sales_")
    parts = {"line_15": ("tax_",), "line_9": exempt_parts, "line_1": exempt_parts, "line_10": exempt_parts,
             "line_11": exempt_parts}
    _take(comp, res, ("line_1", "line_4", "line_7", "line_9", "line_10", "line_11", "line_15", "line_16", "line_17",
                      "line_18", "line_19", "line_20", "line_22"), parts)
    taxed = not (res.amounts["line_10"] or res.amounts["line_11"])  # no sales exempted under the threshold
    comp.values["line_2"] = v["sales_3_special"] if res.amounts["line_1"] else ZERO
    comp.values["line_3"] = res.amounts["line_1"] - comp.values["line_2"]
    comp.formulas["line_2"] = ("专用发票销售额（未超过起征点时为0）", "special-invoice sales (0 when exempt)")
    comp.formulas["line_3"] = ("第1栏 − 第2栏", "line 1 − line 2")
    comp.values["line_5"] = v["sales_5_special"] if taxed else ZERO
    comp.values["line_6"] = res.amounts["line_4"] - comp.values["line_5"]
    comp.formulas["line_5"] = ("5%征收率专用发票销售额（未超过起征点时为0）",
                               "5 % special-invoice sales (0 when exempt)")
    comp.formulas["line_6"] = ("第4栏 − 第5栏", "line 4 − line 5")
    comp.values["line_8"] = res.amounts["line_7"] - (v["used_assets_special"] if taxed else ZERO)
    comp.formulas["line_8"] = ("第7栏 − 其中开具专用发票的销售额", "line 7 − the part on special invoices")
    sales = sales_3 + v["sales_5_special"] + v["sales_5"] + v["immovable_sales"] + v["used_assets"]
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
        return {"vat": max(v["line_34"], ZERO), "vat_immediate_refund": max(v["jz_line_34"], ZERO),
                "urban_maintenance_tax": v["line_39"], "education_surcharge": v["line_40"],
                "local_education_surcharge": v["line_41"]}
    if code == "vat_small_scale":
        return {"vat": max(v["line_22"], ZERO), "urban_maintenance_tax": v["line_23"],
                "education_surcharge": v["line_24"], "local_education_surcharge": v["line_25"]}
    if code == "cit_quarterly":
        return {"cit": v["line_16"]}
    return {"property_tax": v["property_tax"], "land_use_tax": v["land_use_tax"], "stamp_duty": v["stamp_tax"],
            "deed_tax": v["deed_tax"], "lat": v["lat_tax"]}
