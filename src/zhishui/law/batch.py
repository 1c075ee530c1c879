"""Vectorised calculators over columns of integer fen (int64), for whole populations.

Each batch function mirrors one Decimal calculator step by step and rounds at the same points, so
its results equal the single calculator's to the fen (tests check this on 100,000 random rows).
Rates are exact fractions (Decimal.as_integer_ratio), and half-up rounding of n / d is done in
integers as ``(2n + d) // 2d`` for n ≥ 0 (ties away from zero, like ROUND_HALF_UP).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

import numpy as np

from zhishui.core.errors import ValidationFailure
from zhishui.core.periods import MONTH, QUARTER, YEAR, Period, parse_period

from .calculators.common import SIX_TWO
from .parameters import ParameterSet, Scale, default_parameters

MAX_FEN = 10**15  # 10 trillion 元: keeps every product below 2**63 with rates of up to 4 decimals


def round_half_up_div(num: np.ndarray, den: int) -> np.ndarray:
    """num ÷ den rounded half-up (ties away from zero), in integer arithmetic."""
    sign = np.where(num < 0, -1, 1)
    return sign * ((2 * np.abs(num) + den) // (2 * den))


def times(amount: np.ndarray, rate: Decimal) -> np.ndarray:
    """amount (fen) × rate, rounded half-up to the fen."""
    n, d = rate.as_integer_ratio()
    return round_half_up_div(amount * n, d)


def to_fen(value: Decimal) -> int:
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{value} is not a whole number of fen")
    return int(cents)


def scale_tax(base: np.ndarray, scale: Scale, unit_divisor: int = 1) -> np.ndarray:
    """max(base × rate − quick, 0) rounded half-up, bracket chosen on base ÷ unit_divisor ≤ upper."""
    uppers = np.array([to_fen(b.upper) * unit_divisor for b in scale.brackets[:-1]], dtype=np.int64)
    idx = np.searchsorted(uppers, base, side="left")
    ratios = [b.rate.as_integer_ratio() for b in scale.brackets]
    den = int(np.lcm.reduce([d for _, d in ratios]))
    nums = np.array([n * (den // d) for n, d in ratios], dtype=np.int64)
    quicks = np.array([to_fen(b.quick) for b in scale.brackets], dtype=np.int64)
    return np.maximum(round_half_up_div(base * nums[idx] - quicks[idx] * den, den), 0)


def _columns(name: str, columns: Mapping[str, object], known: tuple[str, ...], size: int | None = None,
             negative: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """The known columns as int64 arrays of equal length (missing ones zero); amounts ≥ 0 except ``negative``."""
    unknown = set(columns) - set(known)
    if unknown:
        col = sorted(unknown)[0]
        raise ValidationFailure(col, f"{name} 批量计算没有列「{col}」", f"{name} batch has no column '{col}'", col)
    out = {}
    for key in known:
        if key not in columns:
            continue
        arr = np.asarray(columns[key])
        if arr.dtype.kind not in "iu":
            raise ValidationFailure(key, f"列「{key}」须为整数分（int64）", f"column '{key}' must be integer fen", None)
        arr = arr.astype(np.int64, copy=False)
        bad = np.flatnonzero((arr < (-MAX_FEN if key in negative else 0)) | (arr > MAX_FEN))
        if bad.size:
            raise ValidationFailure(key, f"列「{key}」第 {bad[0]} 行金额为负或过大",
                                    f"column '{key}' row {bad[0]} is negative or too large", int(arr[bad[0]]))
        out[key] = arr
    n = {a.shape for a in out.values()}
    if len(n) > 1 or any(len(s) != 1 for s in n):
        raise ValidationFailure("columns", "各列须为等长一维数组", "columns must be 1-D arrays of equal length", None)
    length = next(iter(n))[0] if n else (size or 0)
    for key in known:
        out.setdefault(key, np.zeros(length, dtype=np.int64))
    return out


IIT_ANNUAL_COLUMNS = ("wages", "remuneration", "author", "royalties", "exempt_income", "special_deductions",
                      "special_additional_deductions", "other_deductions", "donations", "donations_full",
                      "tax_reduction", "prepaid")


def iit_annual(period: Period | str, columns: Mapping[str, object], params: ParameterSet | None = None
               ) -> dict[str, np.ndarray]:
    """Batch version of ``iit_annual``: amounts in fen for every row."""
    p = parse_period(period, "period", (YEAR,)) if isinstance(period, str) else period
    params = params or default_parameters()
    c = _columns("iit_annual", columns, IIT_ANNUAL_COLUMNS)
    ratio = params.value("iit.remuneration_income_ratio", p)
    author_ratio = params.value("iit.author_income_ratio", p)
    income = (c["wages"] + times(c["remuneration"], ratio) + times(c["author"], ratio * author_ratio)
              + times(c["royalties"], ratio))
    basic = to_fen(params.value("iit.basic_deduction", p))
    before = np.maximum(income - c["exempt_income"] - basic - c["special_deductions"]
                        - c["special_additional_deductions"] - c["other_deductions"], 0)
    cap = times(before, params.value("iit.donation_cap_ratio", p))
    allowed = np.minimum(c["donations"], cap)
    allowed = allowed + np.minimum(c["donations_full"], before - allowed)
    taxable = before - allowed
    tax = scale_tax(taxable, params.value("iit.comprehensive_scale", p))
    bad = np.flatnonzero(c["tax_reduction"] > tax)
    if bad.size:
        raise ValidationFailure("tax_reduction", f"第 {bad[0]} 行减免税额超过应纳税额",
                                f"row {bad[0]}: tax reduction exceeds the tax", int(c["tax_reduction"][bad[0]]))
    return {"income_amount": income, "taxable_income": taxable, "tax": tax,
            "tax_due": tax - c["tax_reduction"] - c["prepaid"]}


VAT_SMALL_SCALE_COLUMNS = ("sales_3", "immovable_sales", "other_sales_5", "used_assets_sales", "other_exempt_sales",
                           "prepaid")


def vat_small_scale(period: Period | str, columns: Mapping[str, object], params: ParameterSet | None = None
                    ) -> dict[str, np.ndarray]:
    """Batch version of ``vat_small_scale`` for one month or quarter."""
    p = parse_period(period, "period", (MONTH, QUARTER)) if isinstance(period, str) else period
    params = params or default_parameters()
    c = _columns("vat_small_scale", columns, VAT_SMALL_SCALE_COLUMNS)
    which = "month" if p.kind == MONTH else "quarter"
    threshold = to_fen(params.value(f"vat.small_scale.threshold_{which}", p))
    carve = bool(params.value("vat.small_scale.threshold_excludes_immovable", p))
    levy = params.value("vat.levy_rate", p)
    s3, imm, o5, used = c["sales_3"], c["immovable_sales"], c["other_sales_5"], c["used_assets_sales"]
    total = s3 + imm + o5 + used
    exempt = (total - imm if carve else total) <= threshold
    immovable_taxed = ~exempt | carve
    exempt_sales = np.where(exempt, s3 + o5 + used + np.where(immovable_taxed, 0, imm), 0)
    sales_3 = np.where(exempt, 0, s3)
    used = np.where(exempt, 0, used)
    sales_5 = np.where(exempt, 0, o5) + np.where(immovable_taxed, imm, 0)
    zeros = np.zeros_like(s3)
    line10 = zeros
    if exempt_sales.any() and str(params.value("vat.small_scale.exempt_sales_line", p)).startswith("第10栏"):
        line10 = exempt_sales
    tax_3 = tax_3_statutory = tax_used = tax_used_statutory = tax_5 = zeros
    on16 = False
    if sales_3.any():
        tax_3 = times(sales_3, params.value("vat.small_scale.reduced_levy_rate", p))
        tax_3_statutory = times(sales_3, levy)
    if used.any():
        tax_used = times(used, params.value("vat.small_scale.used_assets_levy_rate", p))
        tax_used_statutory = times(used, levy)
    if sales_3.any() or used.any():
        on16 = bool(params.value("vat.small_scale.reduction_on_line16", p))
    if sales_5.any():
        tax_5 = times(sales_5, params.value("vat.levy_rate_immovable", p))
    line15 = (tax_3_statutory + tax_used_statutory if on16 else tax_3 + tax_used) + tax_5
    line16 = tax_3_statutory - tax_3 + tax_used_statutory - tax_used if on16 else zeros
    line20 = line15 - line16
    line9 = exempt_sales + c["other_exempt_sales"]
    return {"line_1": sales_3, "line_4": sales_5, "line_7": used, "line_9": line9, "line_10": line10,
            "line_11": exempt_sales - line10, "line_12": c["other_exempt_sales"], "line_15": line15,
            "line_16": line16, "line_17": times(line9, levy), "line_18": times(line10, levy),
            "line_19": times(exempt_sales - line10, levy), "line_20": line20, "line_21": c["prepaid"],
            "line_22": line20 - c["prepaid"]}


def iit_bonus(period: Period | str, columns: Mapping[str, object], params: ParameterSet | None = None
              ) -> dict[str, np.ndarray]:
    """Batch version of ``iit_bonus``: the bracket is chosen on bonus ÷ 12, i.e. bonus ≤ 12 × upper."""
    p = parse_period(period, "period", (YEAR,)) if isinstance(period, str) else period
    params = params or default_parameters()
    c = _columns("iit_bonus", columns, ("bonus",))
    params.at("iit.bonus.separate_taxation", p)
    return {"tax": scale_tax(c["bonus"], params.value("iit.monthly_scale", p), unit_divisor=12)}


BATCH: dict[str, Callable[..., dict[str, np.ndarray]]] = {
    "iit_annual": iit_annual, "vat_small_scale": vat_small_scale, "iit_bonus": iit_bonus,
}


VAT_GENERAL_COLUMNS = ("sales_13", "sales_9", "sales_6", "simplified_sales_3", "simplified_sales_5",
                       "simplified_inspection_sales", "export_sales", "exempt_sales", "output_tax_entered", "input_tax",
                       "previous_credit", "input_transfer_out", "export_refund", "inspection_tax",
                       "super_credit_opening", "super_credit_excluded_input", "super_credit_adjustment",
                       "simplified_tax_entered", "simplified_inspection_tax", "tax_reduction", "opening_unpaid",
                       "export_refund_received", "prepaid", "export_prepaid", "paid_previous", "paid_arrears",
                       "opening_inspection_unpaid", "inspection_paid")
VAT_GENERAL_NEGATIVE = ("opening_unpaid", "super_credit_opening")


def vat_general(period: Period | str, columns: Mapping[str, object], params: ParameterSet | None = None,
                super_credit_class: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """Batch version of ``vat_general`` (one column of the main table, and 加计抵减) for one month;
    ``super_credit_class`` per row (None: "none" for every row)."""
    p = parse_period(period, "period", (MONTH,)) if isinstance(period, str) else period
    params = params or default_parameters()
    c = _columns("vat_general", columns, VAT_GENERAL_COLUMNS, negative=VAT_GENERAL_NEGATIVE)
    zeros = np.zeros_like(c["sales_13"])

    def taxed(col: str, name: str) -> np.ndarray:
        # The single calculator looks a rate up only for a non-zero amount: so does this.
        return times(c[col], params.value(name, p)) if c[col].any() else zeros

    line11 = (taxed("sales_13", "vat.rate_standard") + taxed("sales_9", "vat.rate_reduced")
              + taxed("sales_6", "vat.rate_services") + c["output_tax_entered"])
    line17 = (c["input_tax"] + c["previous_credit"] - c["input_transfer_out"] - c["export_refund"]
              + c["inspection_tax"])
    line18 = np.where(line17 < line11, line17, line11)
    before = line11 - line18
    credit = _super_credit(p, params, c, before, super_credit_class)
    line19 = before - credit["super_credit_used"]
    line21 = (taxed("simplified_sales_3", "vat.levy_rate") + taxed("simplified_sales_5", "vat.levy_rate_immovable")
              + c["simplified_tax_entered"])
    bad = np.flatnonzero(c["tax_reduction"] > line19 + line21)
    if bad.size:
        raise ValidationFailure("tax_reduction", f"第 {bad[0]} 行应纳税额减征额（第23栏）超过第19栏与第21栏之和",
                                f"row {bad[0]}: tax reduction (line 23) exceeds lines 19 + 21",
                                int(c["tax_reduction"][bad[0]]))
    line24 = line19 + line21 - c["tax_reduction"]
    line27 = c["prepaid"] + c["export_prepaid"] + c["paid_previous"] + c["paid_arrears"]
    unpaid = c["opening_unpaid"] + c["export_refund_received"]
    return {"line_1": c["sales_13"] + c["sales_9"] + c["sales_6"],
            "line_5": c["simplified_sales_3"] + c["simplified_sales_5"] + c["simplified_inspection_sales"],
            "line_6": c["simplified_inspection_sales"], "line_7": c["export_sales"], "line_8": c["exempt_sales"],
            "line_11": line11, "line_12": c["input_tax"], "line_13": c["previous_credit"],
            "line_14": c["input_transfer_out"], "line_15": c["export_refund"], "line_16": c["inspection_tax"],
            "line_17": line17, "line_18": line18, **credit, "line_19": line19, "line_20": line17 - line18,
            "line_21": line21, "line_22": c["simplified_inspection_tax"], "line_23": c["tax_reduction"],
            "line_24": line24, "line_25": c["opening_unpaid"], "line_26": c["export_refund_received"],
            "line_27": line27, "line_28": c["prepaid"], "line_29": c["export_prepaid"],
            "line_30": c["paid_previous"], "line_31": c["paid_arrears"], "line_32": line24 + unpaid - line27,
            "line_33": np.maximum(unpaid - line27, 0), "line_34": line24 - c["prepaid"] - c["export_prepaid"],
            "line_36": c["opening_inspection_unpaid"], "line_37": c["inspection_paid"],
            "line_38": (c["inspection_tax"] + c["simplified_inspection_tax"] + c["opening_inspection_unpaid"]
                        - c["inspection_paid"])}


def _super_credit(p: Period, params: ParameterSet, c: dict[str, np.ndarray], before: np.ndarray,
                  classes: Sequence[str] | None) -> dict[str, np.ndarray]:
    """附列资料（四）加计抵减, as ``calculators.vat._super_credit``."""
    n = before.shape[0]
    kind = np.array(["none"] * n if classes is None else list(classes), dtype=object)
    if kind.shape != before.shape:
        raise ValidationFailure("super_credit_class", "各列须为等长一维数组",
                                "columns must be 1-D arrays of equal length", None)
    opening, adjustment = c["super_credit_opening"], c["super_credit_adjustment"]
    current = np.zeros_like(before)
    active = (kind != "none") | (opening != 0) | (adjustment != 0)
    if active.any():
        ratios = params.value("vat.super_credit.rate", p)
        for klass in sorted(set(kind.tolist()) - {"none"}):
            if klass not in ratios:
                raise ValidationFailure("super_credit_class", f"加计抵减政策「{klass}」不存在",
                                        f"no additional credit policy '{klass}'", klass)
            mask = kind == klass
            bad = np.flatnonzero(mask & (c["super_credit_excluded_input"] > c["input_tax"]))
            if bad.size:
                raise ValidationFailure("super_credit_excluded_input",
                                        f"第 {bad[0]} 行不得计提加计抵减额的进项税额超过第12栏进项税额",
                                        f"row {bad[0]}: input tax not eligible for the additional credit exceeds "
                                        "line 12", int(c["super_credit_excluded_input"][bad[0]]))
            current[mask] = times(c["input_tax"][mask] - c["super_credit_excluded_input"][mask], ratios[klass])
    available = opening + current - adjustment
    used = np.maximum(np.minimum(available, before), 0)
    return {"super_credit_opening": opening, "super_credit_current": current, "super_credit_adjustment": adjustment,
            "super_credit_available": available, "super_credit_used": used, "super_credit_closing": available - used}


SURCHARGES_COLUMNS = ("vat_paid", "sales", "consumption_tax_paid", "vat_credit_refund")
SURCHARGE_LEVIES = ("urban_maintenance_tax", "education_surcharge", "local_education_surcharge")


def surcharges(period: Period | str, columns: Mapping[str, object], location_class: Sequence[str | None],
               halving_eligible: Sequence[bool], params: ParameterSet | None = None) -> dict[str, np.ndarray]:
    """Batch version of ``surcharges``: ``location_class`` per row (None: the district default)."""
    p = parse_period(period, "period", (MONTH, QUARTER)) if isinstance(period, str) else period
    params = params or default_parameters()
    c = _columns("surcharges", columns, SURCHARGES_COLUMNS)
    base = np.maximum(c["vat_paid"] + c["consumption_tax_paid"] - c["vat_credit_refund"], 0)
    default = str(params.value("surcharges.default_location_class", p))
    where = np.array([loc or default for loc in location_class], dtype=object)
    halving = np.asarray(halving_eligible, dtype=bool)
    if where.shape != base.shape or halving.shape != base.shape:
        raise ValidationFailure("columns", "各列须为等长一维数组", "columns must be 1-D arrays of equal length", None)
    which = "month" if p.kind == MONTH else "quarter"
    fees_exempt = c["sales"] <= to_fen(params.value(f"surcharges.fee_exemption_{which}", p))
    urban_rates = params.value("surcharges.urban_maintenance_rate", p)
    urban = np.zeros_like(base)
    for loc in set(where.tolist()):
        mask = where == loc
        urban[mask] = times(base[mask], urban_rates[loc])
    out, total = {}, np.zeros_like(base)
    for key, tax in (("urban_maintenance_tax", urban),
                     ("education_surcharge", times(base, params.value("surcharges.education_rate", p))),
                     ("local_education_surcharge", times(base, params.value("surcharges.local_education_rate", p)))):
        halved = halving & (tax != 0)
        if key != "urban_maintenance_tax":
            halved &= ~fees_exempt
        relief = np.where(fees_exempt, tax, 0) if key != "urban_maintenance_tax" else np.zeros_like(tax)
        if halved.any():
            relief = np.where(halved, times(tax, params.value(SIX_TWO, p)), relief)
        out[key] = tax - relief
        total += out[key]
    out["total"] = total
    return out
