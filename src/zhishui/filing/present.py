"""A return as data for the pages and the API: its cells line by line, and the trace of one cell."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from django.utils import timezone

from zhishui.core import access
from zhishui.core.periods import parse_period

from . import forms
from .models import Return
from .prefill import Select, no_data_fact
from .sources import INPUT, OUTPUT, rows_of


def _when(at) -> str:
    """A time as the bureau reads it: local (Asia/Shanghai), to the second, with its offset."""
    return timezone.localtime(at).replace(microsecond=0).isoformat()


def visible_returns(user):
    return access.scope_queryset(user, Return.objects.all(), "taxpayer_id")


def get_return(request, pk: int) -> Return:
    ret = Return.objects.filter(pk=pk).first()
    if ret is None:
        raise Http404
    access.require_taxpayer(request, ret.taxpayer_id, what="return")
    return ret


def _money(value: str | None) -> str:
    return "" if value is None else value


def _no(form: forms.Form, key: str) -> str:
    try:
        return form.cell(key).no
    except KeyError:
        return key


def _label(form: forms.Form, key: str, english: bool) -> str:
    try:
        cell = form.cell(key)
    except KeyError:
        return ""
    if cell.column == forms.R:
        return f"{cell.label_en} (immediate-refund items)" if english else f"{cell.label_zh}（即征即退项目）"
    return cell.label_en if english else cell.label_zh


SECTIONS = {  # the parts of the forms, in the order of the official layouts
    "sales": ("销售额", "Sales"), "tax": ("税款计算", "Tax computation"), "payment": ("税款缴纳", "Payment"),
    "surcharges": ("附加税费", "Surcharges"),
    "schedule1": ("附列资料（一）本期销售情况明细（按税率，平台按发票归集）",
                  "Schedule 1: sales of the period by rate (summed from the invoices)"),
    "schedule4": ("附列资料（四）税额抵减情况表：二、加计抵减情况（一般项目）",
                  "Schedule 4: tax credits — additional input-tax credit (general items)"),
    "schedule": ("销售额明细（平台按发票归集，纳税人补充）",
                 "Sales in detail (summed from the invoices, completed by the taxpayer)"),
}


def year_to_date(ret: Return, form: forms.Form) -> tuple[dict[str, str], list[str]]:
    """本年累计 of a VAT return: each summable cell over the taxpayer's filed returns of the same form and
    year up to this period (the latest revision of each), plus this return; and the periods summed."""
    if form.tax_item != "vat":
        return {}, []
    period = parse_period(ret.period)
    earlier: dict[str, dict] = {}
    for p, values in (Return.objects.filter(taxpayer_id=ret.taxpayer_id, form=ret.form, status=Return.FILED,
                                            period__startswith=f"{period.year}-").exclude(period=ret.period)
                      .order_by("period", "revision").values_list("period", "values")):
        if parse_period(p).end < period.start:
            earlier[p] = values  # a later revision replaces an earlier one
    out = {}
    for c in form.cells:
        if c.ytd and c.kind_of_value == "money":
            total = sum((Decimal(v.get(c.key) or 0) for v in (*earlier.values(), ret.values)), Decimal(0))
            out[c.key] = f"{total:.2f}"
    return out, [*sorted(earlier), ret.period]


def _rows(cells: list[dict], english: bool) -> list[dict]:
    """The cells as the lines of the form, by section: a line has its 一般项目 cell and, on the general
    return, its 即征即退项目 cell (line 35 has only the latter)."""
    sections: list[dict] = []
    for c in cells:
        if not sections or sections[-1]["key"] != c["section"]:
            zh, en = SECTIONS.get(c["section"], (c["section"], c["section"]))
            sections.append({"key": c["section"], "title": en if english else zh, "title_zh": zh, "rows": []})
        rows = sections[-1]["rows"]
        if c["column"] == forms.R and rows and rows[-1]["no"] == c["no"] and rows[-1]["refund"] is None:
            rows[-1]["refund"] = c
        else:
            rows.append({"no": c["no"], "label": c["label"], "label_zh": c["label_zh"],
                         "general": None if c["column"] == forms.R else c,
                         "refund": c if c["column"] == forms.R else None})
    return sections


def return_data(ret: Return, *, english: bool = False) -> dict:
    form = forms.form(ret.form)
    prefill = ret.latest_prefill
    proposed = prefill.cells if prefill else {}
    changed = {}
    for ch in ret.changes.all():
        changed[ch.cell] = ch
    ytd, ytd_periods = year_to_date(ret, form)
    cells = []
    for c in form.cells:
        value = ret.values.get(c.key, "")
        cells.append({"key": c.key, "no": c.no, "label_zh": c.label_zh, "label_en": c.label_en,
                      "label": c.label_en if english else c.label_zh, "kind": c.kind, "section": c.section,
                      "column": c.column, "value": value, "prefilled": proposed.get(c.key, ""),
                      "ytd": ytd.get(c.key), "changed": c.key in changed, "editable": c.kind != forms.DERIVED,
                      "unit": c.kind_of_value, "negative_allowed": c.negative})
    payables = [{"item": p.item, "amount": f"{p.amount:.2f}", "paid": f"{p.paid:.2f}", "status": p.status,
                 "due_on": p.due_on.isoformat()} for p in ret.payables.order_by("id")]
    return {"id": ret.pk, "taxpayer_id": ret.taxpayer_id, "taxpayer_name": ret.taxpayer_name, "form": ret.form,
            "title_zh": form.title_zh, "title_en": form.title_en, "title": form.title_en if english else form.title_zh,
            "basis": form.basis if parse_period(ret.period).year >= 2026 else form.basis.split("，")[0],
            "period": ret.period, "period_label": parse_period(ret.period).label_zh(), "revision": ret.revision,
            "status": ret.status, "status_label": ret.get_status_display(), "corrects": ret.corrects_id,
            "due_on": ret.due_on.isoformat() if ret.due_on else None, "payable": f"{ret.payable:.2f}",
            "filed_at": ret.filed_at.isoformat() if ret.filed_at else None, "late": ret.late,
            "prefill_version": prefill.version if prefill else None, "cells": cells,
            "sections": _rows(cells, english), "has_refund_column": any(c.column == forms.R for c in form.cells),
            "has_ytd": bool(ytd), "ytd_periods": ytd_periods,
            "warnings": ret.warnings, "deviations": ret.deviations,
            "halving_eligible": bool(ret.profile.get("halving_eligible")),
            "changes": [{"cell": ch.cell, "no": _no(form, ch.cell), "label": _label(form, ch.cell, english),
                         "old": ch.old, "new": ch.new, "prefilled": ch.prefilled,
                         "reason": ch.reason, "by": ch.by, "at": _when(ch.at)}
                        for ch in ret.changes.order_by("at", "id")],
            "payables": payables,
            "payments": [{"amount": f"{p.amount:.2f}", "channel": p.channel, "reference": p.reference,
                          "status": p.status, "at": _when(p.at)} for p in ret.payments.all()]}


def trace_rows(ret: Return, stored: dict) -> list[dict]:
    """The invoice rows a stored cell trace summed: its invoices, on the taxpayer's side, as its selection
    picked them (so the page lists exactly the rows the pre-fill added up)."""
    if not stored.get("invoices"):
        return []
    select = Select.from_dict(stored.get("select") or {})
    directions = (select.direction,) if select.direction else (OUTPUT, INPUT)
    return [r.as_dict() for r in rows_of(ret.taxpayer_id, stored["invoices"], directions)
            if select.matches(r.direction, r.rate, r.goods, r.kind)]


def trace(ret: Return, key: str) -> dict:
    """How a cell got its value: invoices, facts, calculator lines, parameters, changes."""
    form = forms.form(ret.form)
    try:
        cell = form.cell(key)
    except KeyError:
        raise Http404 from None
    prefill = ret.latest_prefill
    stored = (prefill.traces.get(key) if prefill else None) or {}
    data = {"cell": key, "no": cell.no, "label_zh": cell.label_zh, "label_en": cell.label_en, "kind": cell.kind,
            "column": cell.column,
            "value": ret.values.get(key, ""), "prefilled": prefill.cells.get(key, "") if prefill else "",
            "prefill_version": prefill.version if prefill else None,
            "invoices": trace_rows(ret, stored),
            "facts": stored.get("facts") or ([] if stored.get("invoices") else [no_data_fact(cell)]),
            "field": stored.get("field", ""),
            "calc": [], "params": [], "formula_zh": "", "formula_en": "", "from_cells": [],
            "changes": [{"old": ch.old, "new": ch.new, "reason": ch.reason, "by": ch.by, "at": _when(ch.at)}
                        for ch in ret.changes.filter(cell=key).order_by("at", "id")]}
    if cell.kind == forms.DERIVED:
        summed = dict(form.depends).get(key, ())
        stored_all = prefill.traces if prefill else {}
        for dep in summed:
            data["invoices"] += trace_rows(ret, stored_all.get(dep) or {})
        data["from_cells"] = [{"key": d, "no": form.cell(d).no, "label_zh": form.cell(d).label_zh,
                               "label_en": form.cell(d).label_en, "value": ret.values.get(d, "")} for d in summed]
        values = {k: Decimal(ret.values.get(k, "0")) for k in form.editable}
        try:
            comp = forms.compute(ret.form, values, parse_period(ret.period), ret.profile)
        except Exception:  # the law refused the inputs: the return's warnings say why
            comp = None
        if comp is not None:
            data["calc"] = comp.calc.get(key, [])
            data["params"] = comp.params.get(key, [])
            data["formula_zh"], data["formula_en"] = comp.formulas.get(key, ("", ""))
        if cell.section == "surcharges" or key in ("property_tax", "land_use_tax", "stamp_tax"):
            data["facts"] = data["facts"] + ret.profile.get("halving_facts", [])
    return data
