"""预填: the cells the platform proposes for a return, each with its trace.

Input cells are sums of invoice rows (``sources``) or of registry facts. The trace of a cell keeps the
numbers of exactly the invoices summed and the selection (``Select``: direction, rates, class of supply,
invoice type) that picked their rows, or the facts used; the trace page shows those rows again.
Derived cells are left to ``forms.compute`` (the law calculators), whose lines and parameter versions
become their trace.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from zhishui.core.money import ZERO, fen
from zhishui.core.periods import QUARTER, Period

from . import forms
from .parties import Profile
from .sources import INPUT, OUTPUT, InvoiceRow


@dataclass(frozen=True)
class Select:
    """Which invoice rows a cell sums: direction (None: both), rates (empty: any), rates excluded, class of
    supply (True: goods) and invoice type ("special", or "other" for any other type). Stored with the
    trace, it says why the listed invoices count, and lets the trace page show their rows again."""

    direction: str | None
    rates: tuple[Decimal, ...] = ()
    excluded: tuple[Decimal, ...] = ()
    goods: bool | None = None
    kind: str | None = None

    def matches(self, direction: str, rate: Decimal, goods: bool, kind: str) -> bool:
        return ((self.direction is None or direction == self.direction)
                and (not self.rates or rate in self.rates) and rate not in self.excluded
                and (self.goods is None or goods == self.goods)
                and (self.kind is None or (kind == "special") == (self.kind == "special")))

    def as_dict(self) -> dict:
        return {"direction": self.direction, "rates": [format(r, "f") for r in self.rates],
                "excluded": [format(r, "f") for r in self.excluded], "goods": self.goods, "kind": self.kind}

    @classmethod
    def from_dict(cls, data: dict) -> Select:
        return cls(data.get("direction"), tuple(Decimal(r) for r in data.get("rates", ())),
                   tuple(Decimal(r) for r in data.get("excluded", ())), data.get("goods"), data.get("kind"))


def _rates(*texts: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(t) for t in texts)


# Output rows by cell (附列资料（一） of the general return; lines 1–4 of the small-scale one), first match wins.
GENERAL_OUTPUT = {
    "sales_13_goods": Select(OUTPUT, _rates("0.13"), goods=True),
    "sales_13_services": Select(OUTPUT, _rates("0.13"), goods=False),
    "sales_9_goods": Select(OUTPUT, _rates("0.09"), goods=True),
    "sales_9_services": Select(OUTPUT, _rates("0.09"), goods=False),
    "sales_6": Select(OUTPUT, _rates("0.06")),
    "sales_simple_5": Select(OUTPUT, _rates("0.05")),
    "sales_simple_3": Select(OUTPUT, _rates("0.03", "0.01")),
    "line_9": Select(OUTPUT, _rates("0"), goods=True),
    "line_10": Select(OUTPUT, _rates("0"), goods=False),
}
GENERAL_INPUT = Select(INPUT)
SMALL_OUTPUT = {
    "sales_5_special": Select(OUTPUT, _rates("0.05"), kind="special"),
    "sales_5": Select(OUTPUT, _rates("0.05"), kind="other"),
    "sales_3_special": Select(OUTPUT, excluded=_rates("0.05"), kind="special"),
    "sales_3_other": Select(OUTPUT, excluded=_rates("0.05"), kind="other"),
}
ALL_OUTPUT, ALL_INPUT, GOODS = Select(OUTPUT), Select(INPUT), Select(None, goods=True)


def cell_of(mapping: dict[str, Select], direction: str, rate: Decimal, goods: bool, kind: str) -> str | None:
    return next((cell for cell, sel in mapping.items() if sel.matches(direction, rate, goods, kind)), None)


def fact(label_zh: str, label_en: str, value, source: str = "", link: str = "") -> dict:
    return {"label_zh": label_zh, "label_en": label_en, "value": str(value), "source": source, "link": link}


def halving(profile: Profile, small_low_profit: bool | None) -> tuple[bool, list[dict]]:
    """六税两费: small-scale VAT taxpayers, individual businesses and small low-profit enterprises."""
    facts = [fact("增值税纳税人类型", "VAT status", profile.vat_status or "—", "registry.TaxRegistration"),
             fact("纳税人类别", "taxpayer kind", profile.taxpayer_kind or profile.entity_type or "—",
                  "registry.TaxRegistration")]
    if small_low_profit is not None:
        facts.append(fact("最近一期企业所得税预缴申报的小型微利企业判定", "small low-profit status on the latest "
                          "CIT prepayment return", "是" if small_low_profit else "否", "filing.Return"))
    eligible = profile.vat_status == "small_scale" or profile.individual_business or bool(small_low_profit)
    facts.append(fact("适用“六税两费”减半征收（财政部 税务总局公告2023年第12号）",
                      "six-taxes-two-fees halving applies", "是" if eligible else "否"))
    return eligible, facts


class Builder:
    def __init__(self, code: str):
        self.form = forms.form(code)
        self.cells: dict[str, Decimal] = {c: ZERO for c in self.form.editable}
        self.traces: dict[str, dict] = defaultdict(lambda: {"invoices": [], "facts": []})

    def rows(self, cell: str, rows: list[InvoiceRow], select: Select, field: str = "amount") -> None:
        """The cell sums ``field`` of ``rows`` (those ``select`` picks); its trace keeps their invoice numbers."""
        self.cells[cell] += sum((getattr(r, field) for r in rows), ZERO)
        trace = self.traces[cell]
        trace["invoices"] = sorted(set(trace["invoices"]) | {r.invoice_no for r in rows})
        trace["select"], trace["field"] = select.as_dict(), field

    def set(self, cell: str, value: Decimal, *facts: dict) -> None:
        self.cells[cell] = value
        self.traces[cell]["facts"] += list(facts)

    def result(self) -> tuple[dict[str, Decimal], dict[str, dict]]:
        """Cells and their traces; a cell without invoices or facts has no trace (``no_data_fact`` says why)."""
        kept = {k: t for k, t in self.traces.items() if t["invoices"] or t["facts"] or "field" in t}
        return dict(self.cells), kept


def no_data_fact(cell: forms.Cell) -> dict:
    """What the trace of a cell with neither invoices nor facts shows (not stored with every proposal)."""
    if cell.key in NO_DATA:
        return NO_DATA[cell.key]
    if cell.kind == forms.ENTRY:
        return fact("平台无此项数据，由纳税人填写", "not known to the platform: the taxpayer fills it", "0")
    return fact("本期无相关发票或数据", "no invoices or facts this period", "0")


# Cells carried from the previous filed return of the general form:
# cell -> (its line on the previous return, the fact's label zh / en, what the cell is (zh, for "no return")).
CARRIED = {
    "line_13": ("line_20", "上期申报表第20栏期末留抵税额", "line 20 of the previous return", "上期留抵税额"),
    "jz_line_13": ("jz_line_20", "上期申报表第20栏期末留抵税额（即征即退项目）",
                   "line 20 (immediate-refund items) of the previous return", "即征即退项目上期留抵税额"),
    "line_25": ("line_32", "上期申报表第32栏期末未缴税额", "line 32 of the previous return", "期初未缴税额"),
    "jz_line_25": ("jz_line_32", "上期申报表第32栏期末未缴税额（即征即退项目）",
                   "line 32 (immediate-refund items) of the previous return", "即征即退项目期初未缴税额"),
    "line_36": ("line_38", "上期申报表第38栏期末未缴查补税额", "line 38 of the previous return", "期初未缴查补税额"),
    "super_credit_opening": ("super_credit_closing", "上期附列资料（四）一般项目加计抵减额期末余额",
                             "closing additional credit (schedule 4) of the previous return", "加计抵减额期初余额"),
}


def previous_return(values: dict, period: str, revision: int, link: str) -> dict:
    """What a later return carries from a filed general return: the lines ``CARRIED`` names (0 when the
    return predates them), its period, revision and link."""
    data = {line: values.get(line, "0.00") for line, _zh, _en, _what in CARRIED.values()}
    data.update(period=period, revision=revision, link=link)
    return data


def carried(previous: dict | None) -> dict[str, tuple[Decimal, list[dict]]]:
    """Lines 13, 25, 36, their 即征即退 cells and the 加计抵减 opening balance: the previous filed return's
    closing figures (``previous_return``) with the fact that says so, else 0 and no fact (``NO_DATA`` says why)."""
    out = {}
    for cell, (line, zh, en, _what) in CARRIED.items():
        if previous:
            out[cell] = Decimal(previous[line]), [fact(
                zh, en, previous[line], f"filing.Return {previous['period']} r{previous['revision']}",
                previous.get("link", ""))]
        else:
            out[cell] = ZERO, []
    return out


PAID = ("line_30", "line_31", "jz_line_30", "jz_line_31")


def paid(payments: list[dict], period: Period | None) -> dict[str, tuple[Decimal, list[dict]]]:
    """Lines 30 (本期缴纳上期应纳税额) and 31 (本期缴纳欠缴税额), and their 即征即退 cells: VAT paid on the
    platform within the period on general returns — of the previous period to line 30, of earlier periods to
    line 31, each payment a fact. ``payments``: ``{"item", "amount", "period", "revision", "paid_on", "link"}``
    in order."""
    previous = str(period - 1) if period is not None else ""
    out: dict[str, tuple[Decimal, list[dict]]] = {cell: (ZERO, []) for cell in PAID}
    for pay in payments:
        cell = ("jz_" if pay["item"] == "vat_immediate_refund" else "") + (
            "line_30" if pay["period"] == previous else "line_31")
        which_zh = "即征即退项目" if cell.startswith("jz_") else ""
        which_en = " (immediate-refund items)" if cell.startswith("jz_") else ""
        total, facts = out[cell]
        out[cell] = total + Decimal(pay["amount"]), [*facts, fact(
            f"{pay['paid_on']} 缴纳 {pay['period']} 申报表{which_zh}增值税",
            f"VAT{which_en} of the {pay['period']} return paid on {pay['paid_on']}", pay["amount"],
            f"filing.Payable {pay['period']} r{pay['revision']}", pay.get("link", ""))]
    return out


# What the trace of a carried or paid cell without facts shows: no previous return, no payment.
NO_DATA = {
    **{cell: fact(f"平台上无上期申报表，{what}按0预填", "no previous return on the platform: 0", "0.00")
       for cell, (_line, _zh, _en, what) in CARRIED.items()},
    **dict.fromkeys(PAID, fact("平台上本期无相应的增值税缴款记录，按0预填（在平台外缴纳的请填写）",
                               "no such VAT payment on the platform in the period: 0 (enter payments made "
                               "elsewhere)", "0.00")),
}


def unmapped_fact(rows: int) -> dict:
    return fact("税率无法归类的发票行（未计入，请核对）", "rows at an unexpected rate (not counted, please check)",
                rows)


def profile_facts(profile: Profile, small_low_profit: bool | None) -> dict:
    """The taxpayer facts a return is computed with, and the 六税两费 eligibility with its reasons."""
    eligible, facts = halving(profile, small_low_profit)
    data = profile.as_dict()
    data.update(halving_eligible=eligible, halving_facts=facts)
    return data


def vat_general(rows: dict[str, list[InvoiceRow]], previous: dict | None, payments: list[dict] = (),
                period: Period | None = None) -> Builder:
    """``previous``: ``previous_return`` of the previous filed general return; ``payments``: VAT paid on the
    platform in ``period`` (``paid``)."""
    b = Builder("vat_general")
    by: dict[str | None, list[InvoiceRow]] = defaultdict(list)
    for r in rows[OUTPUT]:
        by[cell_of(GENERAL_OUTPUT, OUTPUT, r.rate, r.goods, r.kind)].append(r)
    for cell, cell_rows in by.items():
        if cell is not None:
            b.rows(cell, cell_rows, GENERAL_OUTPUT[cell])
    b.rows("line_12", rows[INPUT], GENERAL_INPUT, "tax")
    for cell, (value, why) in (carried(previous) | paid(payments, period)).items():
        b.set(cell, value, *why)
    if by.get(None):
        b.traces["line_8"]["facts"].append(unmapped_fact(len(by[None])))
    return b


def vat_small(rows: dict[str, list[InvoiceRow]]) -> Builder:
    b = Builder("vat_small_scale")
    by: dict[str | None, list[InvoiceRow]] = defaultdict(list)
    for r in rows[OUTPUT]:
        by[cell_of(SMALL_OUTPUT, OUTPUT, r.rate, r.goods, r.kind)].append(r)
    for cell, cell_rows in by.items():
        b.rows(cell, cell_rows, SMALL_OUTPUT[cell])
    return b


def cit(ytd: dict[str, list[InvoiceRow]], period: Period, earlier: list[dict], headcount: dict) -> Builder:
    """``earlier``: values of the filed returns of the year's earlier quarters; ``headcount``: social insurance."""
    b = Builder("cit_quarterly")
    b.rows("line_1", ytd[OUTPUT], ALL_OUTPUT)
    b.traces["line_1"]["facts"].append(fact("本年累计开具发票不含税销售额（红字发票已冲减）",
                                            "invoiced sales of the year to date, red invoices netted", "",
                                            "invoices"))
    b.rows("line_2", ytd[INPUT], ALL_INPUT)
    b.traces["line_2"]["facts"].append(fact("以本年累计已确认抵扣的购进发票金额预估，请按账簿调整",
                                            "estimated from purchases confirmed for deduction; adjust to your books",
                                            ""))
    b.set("line_3", b.cells["line_1"] - b.cells["line_2"],
          fact("预估：营业收入 − 营业成本，请按利润表填写",
               "estimate: revenue − cost; enter from your income statement",
               fen(b.cells["line_1"] - b.cells["line_2"])))
    for cell, month in (("employees_start", "first"), ("employees_end", "last")):
        row = headcount.get(month)
        b.set(cell, Decimal(row["count"]) if row else ZERO,
              fact(f"社会保险参保人数（{row['month']}）" if row else "无社保缴费数据",
                   f"insured employees ({row['month']})" if row else "no social insurance data",
                   row["count"] if row else 0, "registry.SocialInsurance"))
    last = earlier[-1] if earlier else None
    for cell in ("assets_start", "assets_end"):
        value = Decimal(last["values"]["assets_end"]) if last else ZERO
        b.set(cell, value, fact("上季度申报的季末资产总额" if last else "平台无上季度申报，请填写",
                                "total assets at the end of the previous quarter" if last else
                                "no previous quarter on the platform: please enter", value,
                                f"filing.Return {last['period']}" if last else ""))
    prepaid = sum((Decimal(q["values"]["line_16"]) for q in earlier), ZERO)
    paid = [fact(f"{q['period']} 本期应补（退）所得税额", f"{q['period']} tax due", q["values"]["line_16"],
                 f"filing.Return {q['period']}", q.get("link", "")) for q in earlier]
    b.set("line_14", prepaid, *(paid or [fact("本年无以前季度预缴", "no earlier quarter this year", "0.00")]))
    return b


def property_behaviour(period: Period, holdings: list[dict], transactions: list[dict],
                       rows: dict[str, list[InvoiceRow]]) -> Builder:
    b = Builder("property_behaviour")
    assert period.kind == QUARTER
    months = period.month_periods()
    value, rent, area, area_by_grade = ZERO, ZERO, ZERO, defaultdict(Decimal)
    value_facts, rent_facts, land_facts = [], [], []
    for h in holdings:
        acquired = Period.containing(h["acquired_on"])
        taxed = sum(1 for m in months if acquired < m)  # from the month after acquisition
        if not taxed:
            continue
        if h["annual_rent"]:
            part = fen(Decimal(h["annual_rent"]) * taxed / 12)
            rent += part
            rent_facts.append(fact(f"不动产 {h['property_id']} 年租金 × {taxed}/12",
                                   f"property {h['property_id']} annual rent × {taxed}/12", part,
                                   "registry.PropertyHolding"))
        elif h["original_value"]:
            part = fen(Decimal(h["original_value"]) * taxed / len(months))
            value += part
            value_facts.append(fact(f"不动产 {h['property_id']} 房产原值" + (f" × {taxed}/{len(months)}（本期取得）"
                                                                        if taxed < len(months) else ""),
                                    f"property {h['property_id']} original value", part, "registry.PropertyHolding"))
        if h["land_area_m2"]:
            part = Decimal(h["land_area_m2"]) * taxed / len(months)
            area += part
            area_by_grade[h["land_grade"] or 0] += part
            land_facts.append(fact(f"不动产 {h['property_id']} 占地面积（{h['land_grade']}级）",
                                   f"property {h['property_id']} land area (grade {h['land_grade']})",
                                   h["land_area_m2"], "registry.PropertyHolding"))
    b.set("property_value", value, *value_facts)
    b.set("property_value_months", Decimal(len(months) if value else 0),
          fact("本期月份数（本期取得的房产已按月份折算原值）", "months of the period", len(months) if value else 0))
    b.set("property_rent", rent, *rent_facts)
    b.set("land_area", area.quantize(Decimal("0.01")), *land_facts)
    grade = max(area_by_grade, key=lambda g: area_by_grade[g]) if area_by_grade else 0
    b.set("land_grade", Decimal(grade), fact("面积最大地块的土地等级", "grade of the largest plot", grade))
    b.set("land_months", Decimal(len(months) if area else 0), fact("本期月份数", "months of the period", len(months)))
    b.rows("stamp_sale", [r for r in rows[OUTPUT] + rows[INPUT] if r.goods], GOODS)
    b.traces["stamp_sale"]["facts"].append(fact("购销货物发票金额作为买卖合同计税依据（双方各自计税）",
                                                "goods invoices as the base for sale contracts (each party pays)", ""))
    transfer, deed, proceeds = ZERO, ZERO, ZERO
    transfer_facts, deed_facts, lat_facts = [], [], []
    for t in transactions:
        price = Decimal(t["contract_price"])
        label = fact(f"不动产交易 {t['transaction_id']}（{t['signed_on']}）", f"real estate transaction "
                     f"{t['transaction_id']}", price, "registry.RealEstateTransaction")
        transfer += price
        transfer_facts.append(label)
        if t["role"] == "buyer":
            deed += price
            deed_facts.append(label)
        else:
            proceeds += price
            lat_facts.append(label)
    b.set("stamp_property_transfer", transfer, *transfer_facts)
    b.set("deed_price", deed, *deed_facts)
    b.set("lat_proceeds", proceeds, *lat_facts)
    return b
