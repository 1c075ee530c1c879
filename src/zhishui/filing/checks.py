"""表内表间校验: the checks a return must pass before it is filed.

* 表内 (within the form): derived lines equal their formula (a submitted total that does not match is
  refused), no negative amount where the form forbids it, the law calculators accept the inputs.
* 表间 (across forms and data): declared sales not below the invoices issued (per line), input tax not
  above what was confirmed for deduction, credit brought forward equal to the previous return's line 20,
  land appreciation tax deductions present when proceeds are declared.

Each problem names its line in Chinese and English. Errors block filing; warnings are kept with the
return.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from zhishui.core.money import ZERO
from zhishui.core.periods import parse_period

from . import forms, parties, prefill, sources


def _e(cell: forms.Cell | None, key: str, zh: str, en: str, value=None) -> dict:
    refund = bool(cell and cell.column == forms.R)
    label_zh = f"第{cell.no}栏（{cell.label_zh}{'，即征即退项目' if refund else ''}）" if cell else ""
    label_en = f"line {cell.no} ({cell.label_en}{', immediate-refund items' if refund else ''})" if cell else ""
    return {"field": key, "message_zh": f"{label_zh}{zh}", "message_en": f"{label_en}: {en}" if label_en else en,
            "value": None if value is None else str(value)}


def run(ret, submitted: dict, on: date) -> tuple[list[dict], list[dict]]:
    form = forms.form(ret.form)
    period = parse_period(ret.period)
    errors: list[dict] = []
    warnings: list[dict] = []
    profile = parties.profile(ret.taxpayer_id)
    if period.end >= on:
        errors.append(_e(None, "period", f"所属期 {period} 尚未结束，不能申报", f"the period {period} has not ended",
                         period))
    if profile and profile.registered_on and period.end < profile.registered_on:
        errors.append(_e(None, "period", f"所属期 {period} 早于税务登记日期 {profile.registered_on}",
                         f"the period {period} is before the tax registration", period))
    values = {k: Decimal(v) for k, v in ret.values.items()}
    for cell in form.cells:
        v = values.get(cell.key)
        if v is not None and v < 0 and not cell.negative:
            errors.append(_e(cell, cell.key, "不能为负数", "must not be negative", v))
    for problem in ret.warnings or []:  # the law calculators refused the inputs
        if "field" in problem and problem not in errors:
            errors.append(problem)
    for key, raw in submitted.items():
        try:
            cell = form.cell(key)
        except KeyError:
            errors.append(_e(None, key, f"申报表没有栏次「{key}」", f"the return has no cell '{key}'", raw))
            continue
        try:
            given = Decimal(str(raw))
        except Exception:
            errors.append(_e(cell, key, "不是有效的数字", "is not a number", raw))
            continue
        if key in values and given != values[key]:
            errors.append(_e(cell, key, f"填报值 {raw} 与表内计算结果 {values[key]:.2f} 不符",
                             f"the figure {raw} does not match the computed {values[key]:.2f}", raw))
    if ret.form == "vat_general":
        _general_lines(form, values, errors, warnings)
    elif ret.form == "vat_small_scale":
        _small_lines(form, values, errors)
    if errors:
        return errors, warnings
    rows = sources.rows_for(period, ret.taxpayer_id) if ret.form in ("vat_general", "vat_small_scale",
                                                                     "property_behaviour") else None
    if ret.form == "vat_general":
        b = prefill.vat_general(rows, None, [], period)
        _not_below_invoices(form, b, values, errors, ("sales_13_goods", "sales_13_services", "sales_9_goods",
                                                      "sales_9_services", "sales_6", "sales_simple_3",
                                                      "sales_simple_5", "line_9", "line_10"))
        confirmed = sources.total(rows[sources.INPUT], "tax")
        if values["line_12"] > confirmed:
            errors.append(_e(form.cell("line_12"), "line_12", f"{values['line_12']:.2f} 大于本期已确认抵扣的进项税额 "
                             f"{confirmed:.2f}（表间校验：进项税额与用途确认数据比对）",
                             f"{values['line_12']:.2f} exceeds the input tax confirmed for deduction "
                             f"({confirmed:.2f})", values["line_12"]))
        from .services import _previous_vat

        previous = _previous_vat(ret.taxpayer_id, period)
        for key, (line, zh, en, _what) in (prefill.CARRIED.items() if previous is not None else ()):
            if values.get(key, ZERO) == Decimal(previous[line]):
                continue
            if key in ("line_25", "jz_line_25"):  # less arrears offset by credit (留抵抵欠): a warning only
                warnings.append(_e(form.cell(key), key,
                                   f"与{zh} {previous[line]} 不一致（留抵税额抵减欠税的除外），请核对",
                                   f"differs from {en} ({previous[line]}); only an offset of arrears by credit "
                                   "explains a difference, please check", values.get(key, ZERO)))
            else:
                errors.append(_e(form.cell(key), key, f"应等于{zh} {previous[line]}",
                                 f"must equal {en} ({previous[line]})", values.get(key, ZERO)))
    elif ret.form == "vat_small_scale":
        b = prefill.vat_small(rows)
        _not_below_invoices(form, b, values, errors, ("sales_3_special", "sales_3_other", "sales_5_special",
                                                      "sales_5"))
    elif ret.form == "cit_quarterly":
        if values["line_3"] > values["line_1"] and values["line_1"] >= 0:
            warnings.append(_e(form.cell("line_3"), "line_3", "利润总额大于营业收入，请核对",
                               "profit above revenue, please check", values["line_3"]))
    elif ret.form == "property_behaviour":
        if values["lat_proceeds"] > 0 and values["lat_land_cost"] + values["lat_development_cost"] == ZERO:
            errors.append(_e(form.cell("lat_land_cost"), "lat_land_cost", "有转让房地产收入时应填写扣除项目金额",
                             "enter the deductions when proceeds from transfers are declared", "0.00"))
        invoiced = sources.total([r for r in rows[sources.OUTPUT] + rows[sources.INPUT] if r.goods])
        if values["stamp_sale"] < invoiced:
            warnings.append(_e(form.cell("stamp_sale"), "stamp_sale", f"小于本期购销货物发票金额 {invoiced:.2f}",
                               f"below the goods invoiced this period ({invoiced:.2f})", values["stamp_sale"]))
    return errors, warnings


def _not_below_invoices(form, builder, values, errors, cells) -> None:
    invoiced, _traces = builder.result()
    for key in cells:
        if values[key] < invoiced[key]:
            cell = form.cell(key)
            errors.append(_e(cell, key, f"申报销售额 {values[key]:.2f} 小于本期开具发票销售额 {invoiced[key]:.2f}"
                             "（表间校验：申报表与发票数据比对）",
                             f"declared sales {values[key]:.2f} are below the sales invoiced this period "
                             f"({invoiced[key]:.2f})", values[key]))


def _not_above(form, values: dict, errors: list, key: str, limit: Decimal, zh: str, en: str) -> None:
    if values.get(key, ZERO) > limit:
        errors.append(_e(form.cell(key), key, f"{values.get(key, ZERO):.2f} 不能大于{zh} {limit:.2f}（表内校验）",
                         f"{values.get(key, ZERO):.2f} cannot exceed {en} ({limit:.2f})", values.get(key, ZERO)))


def _general_lines(form, values: dict, errors: list, warnings: list) -> None:
    """表内: the “of which” lines within their totals, paid inspection tax within what was due, and the
    加计抵减 figures the taxpayer enters."""
    v = lambda key: values.get(key, ZERO)  # noqa: E731 - a return filed before a line existed has no value for it
    _not_above(form, values, errors, "line_4", max(v("line_1"), ZERO), "第1栏按适用税率计税销售额", "line 1")
    _not_above(form, values, errors, "jz_line_4", max(v("jz_line_1"), ZERO), "第1栏即征即退项目销售额",
               "line 1 (immediate-refund items)")
    _not_above(form, values, errors, "jz_line_6", max(v("jz_line_5"), ZERO), "第5栏即征即退项目简易计税销售额",
               "line 5 (immediate-refund items)")
    _not_above(form, values, errors, "line_37", max(v("line_16") + v("line_22") + v("line_36"), ZERO),
               "第16、22、36栏之和（应补缴及期初未缴的查补税额）", "lines 16 + 22 + 36 (inspection tax due)")
    _not_above(form, values, errors, "super_credit_excluded", max(v("line_12"), ZERO), "第12栏进项税额",
               "line 12 (input tax)")
    if v("super_credit_class") == 0 and (v("super_credit_excluded") or
                                         (v("super_credit_adjustment") and not v("super_credit_opening"))):
        warnings.append(_e(form.cell("super_credit_class"), "super_credit_class",
                           "未选择加计抵减政策，附列资料（四）的计提数据不起作用，请核对",
                           "no additional credit policy chosen: the schedule 4 figures have no effect, please check",
                           v("super_credit_class")))
    if v("super_credit_available") < 0:
        warnings.append(_e(form.cell("super_credit_adjustment"), "super_credit_adjustment",
                           "本期调减额大于期初余额与本期发生额之和，本期可抵减额为负数，请核对",
                           "the reduction exceeds the opening balance and the accrual: the credit available is "
                           "negative, please check", v("super_credit_adjustment")))


def _small_lines(form, values: dict, errors: list) -> None:
    """表内: the “of which” entries within their totals."""
    _not_above(form, values, errors, "used_assets_special", values.get("used_assets", ZERO),
               "第7a栏销售使用过的固定资产和旧货销售额", "line 7a (used fixed assets)")
    _not_above(form, values, errors, "line_14", values.get("line_13", ZERO), "第13栏出口免税销售额",
               "line 13 (exempt exports)")
