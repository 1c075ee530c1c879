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
