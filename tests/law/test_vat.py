"""增值税: general taxpayer return lines and small-scale taxpayer reliefs."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from zhishui.law.parameters import ParameterNotInForce

from .conftest import amounts, calc


def test_general_taxpayer_return_lines():
    """Hand-derived from 增值税法第十四条、第十六条 and the line formulas of 国家税务总局公告2021年第20号:
    goods 1,000,000 at 13 %, consulting 200,000 at 6 %, input 90,000, credit b/f 5,000, transfer-out 1,000,
    simplified sales 10,000 at 3 %."""
    a = amounts("vat_general", {"period": "2026-03", "sales_13": "1000000", "sales_6": "200000",
                                "input_tax": "90000", "previous_credit": "5000", "input_transfer_out": "1000",
                                "simplified_sales_3": "10000"})
    assert a["line_11"] == D("142000.00")  # 130,000 + 12,000
    assert a["line_17"] == D("94000.00")  # 90,000 + 5,000 − 1,000
    assert (a["line_18"], a["line_19"], a["line_20"]) == (D("94000.00"), D("48000.00"), D("0.00"))
    assert (a["line_21"], a["line_24"]) == (D("300.00"), D("48300.00"))


def test_excess_input_tax_is_carried_forward_on_line_20():
    a = amounts("vat_general", {"period": "2026-Q1", "sales_9": "100000", "input_tax": "20000"})
    assert (a["line_11"], a["line_18"], a["line_19"], a["line_20"]) == (D("9000.00"), D("9000.00"), D("0.00"),
                                                                        D("11000.00"))


def test_output_tax_rounds_half_up_per_rate():
    a = amounts("vat_general", {"period": "2026-03", "sales_13": "0.50", "sales_6": "0.25"})
    assert a["line_11"] == D("0.09")  # 0.065 → 0.07, 0.015 → 0.02 (unrounded sum 0.08)


def test_general_rates_are_cited_to_the_vat_law_from_2026():
    r = calc("vat_general", {"period": "2026-01", "sales_13": "100"})
    assert "增值税法》第十条" in r.line("output_13").params[0].citation
    r = calc("vat_general", {"period": "2025-12", "sales_13": "100"})
    assert "暂行条例" in r.line("output_13").params[0].citation


@pytest.mark.parametrize("period, sales, tax", [
    ("2026-03", "100000.00", "0.00"), ("2026-03", "100000.01", "1000.00"),
    ("2026-Q1", "300000.00", "0.00"), ("2026-Q1", "300000.01", "3000.00"),
    ("2027-12", "100000.00", "0.00"), ("2027-Q4", "300000.01", "3000.00"),
    ("2025-06", "100000.01", "1000.00"), ("2023-01", "100000.00", "0.00"),
])
def test_small_scale_threshold_boundaries(period, sales, tax):
    """未超过10万元/30万元（含本数）免征；超过则全部销售额按1%计税 (2023年第19号, 2026年第10号)."""
    a = amounts("vat_small_scale", {"period": period, "sales_3": sales})
    assert a["line_20"] == D(tax)
    assert a["line_9"] == (D(sales) if tax == "0.00" else D(0))


def test_small_scale_relief_ends_2027_12_31_and_starts_2023_01_01():
    for period in ("2028-01", "2028-Q1"):
        with pytest.raises(ParameterNotInForce, match=f"no parameter in force for {period}"):
            calc("vat_small_scale", {"period": period, "sales_3": "1"})
    with pytest.raises(ParameterNotInForce, match="no parameter in force for 2022-12"):
        calc("vat_small_scale", {"period": "2022-12", "sales_3": "1"})


def test_lines_15_and_16_report_the_reduction_from_3_to_1_percent():
    """国家税务总局公告2023年第1号: line 15 at 3 %, line 16 the 2 % reduction."""
    a = amounts("vat_small_scale", {"period": "2025-03", "sales_3": "200000", "prepaid": "500"})
    assert (a["line_15"], a["line_16"], a["line_20"], a["line_22"]) == (D("6000.00"), D("4000.00"),
                                                                        D("2000.00"), D("1500.00"))


def test_2023_to_2025_threshold_ignores_sales_of_immovables():
    """2023年第1号第二条: 扣除销售不动产后未超过标准的，货物劳务服务销售额免征; immovables at 5 %."""
    a = amounts("vat_small_scale", {"period": "2025-Q1", "sales_3": "250000", "immovable_sales": "100000"})
    assert (a["line_9"], a["line_4"], a["line_20"]) == (D("250000.00"), D("100000.00"), D("5000.00"))


def test_2026_threshold_counts_all_sales():
    """增值税法第二十三条 (全部销售额判断, marked 疑 in the parameter)."""
    r = calc("vat_small_scale", {"period": "2026-Q1", "sales_3": "250000", "immovable_sales": "100000"})
    assert (r.amounts["line_9"], r.amounts["line_20"]) == (D("0.00"), D("7500.00"))  # 2,500 + 5,000
    assert r.line("sales_tested").value == D("350000.00")


def test_exempt_sales_report_the_tax_exempted_on_line_17():
    a = amounts("vat_small_scale", {"period": "2026-02", "sales_3": "80000"})
    assert (a["line_9"], a["line_17"], a["line_20"]) == (D("80000.00"), D("2400.00"), D("0.00"))


# ------------------------------------------------------------------ the full main table (2021年第20号)

def test_additional_credit_is_limited_by_the_tax_before_it_and_carried_forward():
    """附列资料（四）加计抵减: accrued = eligible input × 5 %; used = min(available, 11−18); the rest carries."""
    base = {"period": "2026-03", "sales_13": "100000", "input_tax": "10000",
            "super_credit_class": "advanced_manufacturing"}
    a = amounts("vat_general", base)  # 11 = 13,000; 18 = 10,000; before = 3,000; accrued = 500
    assert (a["super_credit_current"], a["super_credit_used"], a["super_credit_closing"]) == (D("500.00"),
                                                                                              D("500.00"), D("0.00"))
    assert a["line_19"] == D("2500.00")
    # Credit above the tax before it: the tax goes to zero and the rest is carried forward.
    a = amounts("vat_general", {**base, "super_credit_opening": "2600"})
    assert (a["super_credit_available"], a["super_credit_used"], a["line_19"], a["super_credit_closing"]) == (
        D("3100.00"), D("3000.00"), D("0.00"), D("100.00"))
    # Exactly equal: used in full, nothing left.
    a = amounts("vat_general", {**base, "super_credit_opening": "2500"})
    assert (a["super_credit_used"], a["line_19"], a["super_credit_closing"]) == (D("3000.00"), D("0.00"),
                                                                                  D("0.00"))
    # Input above output (credit carried on line 20): nothing is used, everything carries.
    a = amounts("vat_general", {**base, "input_tax": "20000", "super_credit_opening": "100"})
    assert (a["line_20"], a["super_credit_current"], a["super_credit_used"], a["super_credit_closing"]) == (
        D("7000.00"), D("1000.00"), D("0.00"), D("1100.00"))
    # Export-related input tax accrues nothing; 15 % for integrated circuits and industrial mother machines.
    a = amounts("vat_general", {**base, "super_credit_excluded_input": "4000"})
    assert a["super_credit_current"] == D("300.00")
    a = amounts("vat_general", {**base, "super_credit_class": "ic_mother_machine"})
    assert (a["super_credit_current"], a["super_credit_used"]) == (D("1500.00"), D("1500.00"))
    # A reduction above the balance leaves a negative amount available: nothing is used.
    a = amounts("vat_general", {**base, "super_credit_class": "none", "super_credit_adjustment": "50"})
    assert (a["super_credit_available"], a["super_credit_used"], a["super_credit_closing"]) == (
        D("-50.00"), D("0.00"), D("-50.00"))


@pytest.mark.parametrize("period, ok", [("2027-12", True), ("2028-01", False), ("2023-01", True),
                                        ("2022-12", False)])
def test_additional_credit_ends_2027_12_31(period, ok):
    """财政部 税务总局公告2023年第43号: 2023-01-01 … 2027-12-31; a balance is not used after the policy ends."""
    for extra in ({"super_credit_class": "advanced_manufacturing"}, {"super_credit_opening": "100"}):
        payload = {"period": period, "sales_13": "100000", "input_tax": "10000", **extra}
        if ok:
            assert amounts("vat_general", payload)["super_credit_used"] > 0
        else:
            with pytest.raises(ParameterNotInForce, match=f"vat.super_credit.rate.*{period}|{period}.*"
                                                          "vat.super_credit.rate"):
                calc("vat_general", payload)
    # Without the policy the return is computed as ever.
    assert amounts("vat_general", {"period": period, "sales_13": "100000"})["line_19"] == D("13000.00")


def test_payment_block_lines_25_to_38():
    a = amounts("vat_general", {"period": "2026-03", "sales_13": "100000", "input_tax": "3000",
                                "opening_unpaid": "8000", "export_refund_received": "0", "prepaid": "1000",
                                "paid_previous": "8000", "paid_arrears": "0", "inspection_tax": "600",
                                "simplified_inspection_tax": "90", "opening_inspection_unpaid": "300",
                                "inspection_paid": "500"})
    # 17 = 3,000 + 600 (inspection tax neutralised in 19), 19 = 13,000 − 3,600, 24 = 9,400
    assert (a["line_17"], a["line_19"], a["line_24"]) == (D("3600.00"), D("9400.00"), D("9400.00"))
    assert a["line_27"] == D("9000.00")  # 28+29+30+31
    assert a["line_32"] == D("8400.00")  # 24+25+26−27 = 9,400 + 8,000 − 9,000
    assert a["line_33"] == D("0.00")  # 25+26−27 = −1,000, not below 0
    assert a["line_34"] == D("8400.00")  # 24−28−29
    assert a["line_38"] == D("490.00")  # 16+22+36−37 = 600 + 90 + 300 − 500
    assert a["line_22"] == D("90.00") and a["line_21"] == D("0.00")  # line 22 stays out of 21 and 24
    arrears = amounts("vat_general", {"period": "2026-03", "opening_unpaid": "8000", "paid_previous": "5000"})
    assert (arrears["line_32"], arrears["line_33"]) == (D("3000.00"), D("3000.00"))
    overpaid = amounts("vat_general", {"period": "2026-03", "sales_13": "1000", "opening_unpaid": "-200",
                                       "prepaid": "300"})
    assert (overpaid["line_32"], overpaid["line_34"]) == (D("-370.00"), D("-170.00"))  # 130 − 200 − 300; 130 − 300


def test_simplified_inspection_sales_are_in_line_5_not_in_line_21():
    a = amounts("vat_general", {"period": "2026-03", "simplified_sales_3": "10000",
                                "simplified_inspection_sales": "2000", "simplified_inspection_tax": "60"})
    assert (a["line_5"], a["line_6"], a["line_21"], a["line_22"], a["line_24"]) == (
        D("12000.00"), D("2000.00"), D("300.00"), D("60.00"), D("300.00"))


def test_immediate_refund_column_through_the_same_calculator():
    """即征即退项目: output tax and simplified tax entered from the schedules, the same line formulas."""
    a = amounts("vat_general", {"period": "2026-03", "output_tax_entered": "1300", "input_tax": "500",
                                "previous_credit": "100", "simplified_tax_entered": "30", "paid_previous": "200",
                                "opening_unpaid": "200"})
    assert (a["line_11"], a["line_17"], a["line_18"], a["line_19"], a["line_24"], a["line_32"]) == (
        D("1300.00"), D("600.00"), D("600.00"), D("700.00"), D("730.00"), D("730.00"))


@pytest.mark.parametrize("period, line", [("2025-Q2", "line_10"), ("2026-Q2", "line_11")])
def test_small_scale_exempt_sales_lines_10_11_12_and_tax_exempted_18_19(period, line):
    """Threshold exemption on line 10 (2023年第1号) or 11 (2026, 疑); other exempt sales on line 12."""
    a = amounts("vat_small_scale", {"period": period, "sales_3": "200000", "other_exempt_sales": "10000"})
    other = "line_11" if line == "line_10" else "line_10"
    assert (a["line_9"], a[line], a[other], a["line_12"]) == (D("210000.00"), D("200000.00"), D("0.00"),
                                                              D("10000.00"))
    taxed = "line_18" if line == "line_10" else "line_19"
    assert (a["line_17"], a[taxed]) == (D("6300.00"), D("6000.00"))
    assert a["line_20"] == D("0.00")


def test_small_scale_used_fixed_assets_count_for_the_threshold_and_are_taxed_on_line_7():
    exempt = amounts("vat_small_scale", {"period": "2026-Q1", "sales_3": "250000", "used_assets_sales": "50000"})
    assert (exempt["line_7"], exempt["line_9"], exempt["line_20"]) == (D("0.00"), D("300000.00"), D("0.00"))
    taxed = amounts("vat_small_scale", {"period": "2026-Q1", "sales_3": "250000", "used_assets_sales": "50000.01"})
    assert (taxed["line_1"], taxed["line_7"], taxed["line_9"]) == (D("250000.00"), D("50000.01"), D("0.00"))
    assert (taxed["line_15"], taxed["line_16"], taxed["line_20"]) == (D("9000.00"), D("6000.00"), D("3000.00"))
