"""企业所得税: 企业所得税法第四条、第二十八条; 小型微利企业 (财政部 税务总局公告2023年第6号、第12号);
研发费用加计扣除 (财政部 税务总局公告2023年第7号)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from zhishui.law.parameters import ParameterNotInForce

from .conftest import amounts, calc

SMALL = {"employees_by_quarter": [{"start": 50, "end": 60}], "assets_by_quarter": [{"start": "8000000",
                                                                                     "end": "9000000"}]}


def annual(income: str, **extra) -> dict:
    return amounts("cit_annual", {"period": "2026", "income_before_rd": income, **SMALL, **extra})


@pytest.mark.parametrize("income, tax", [
    ("2000000", "100000.00"),  # 2,000,000 × 25 % × 20 %
    ("3000000.00", "150000.00"),  # ceiling included: 不超过300万元
    ("3000000.01", "750000.00"),  # cliff: whole amount at 25 % (750,000.0025)
])
def test_small_low_profit_effective_5_percent_and_the_cliff(income, tax):
    assert annual(income)["tax"] == D(tax)


def test_headcount_and_assets_are_averages_of_quarterly_averages():
    """公告2023年第6号第三条: 季度平均值 = (季初值 + 季末值) ÷ 2; 全年 = 各季度平均值之和 ÷ 4."""
    quarters = [{"start": 290, "end": 310}, {"start": 300, "end": 320}, {"start": 290, "end": 300},
                {"start": 280, "end": 300}]
    r = calc("cit_annual", {"period": "2026", "income_before_rd": "1000000", "employees_by_quarter": quarters,
                            "assets_by_quarter": SMALL["assets_by_quarter"]})
    assert r.line("employees_avg").value == D("298.75") and r.line("small_low_profit").value is True
    quarters[0]["end"] = 320  # average 300.0: still “不超过300人”
    assert amounts("cit_annual", {"period": "2026", "income_before_rd": "1000000", "employees_by_quarter": quarters,
                                  "assets_by_quarter": SMALL["assets_by_quarter"]})["tax"] == D("50000.00")
    quarters[0]["end"] = 322  # 300.25
    assert amounts("cit_annual", {"period": "2026", "income_before_rd": "1000000", "employees_by_quarter": quarters,
                                  "assets_by_quarter": SMALL["assets_by_quarter"]})["tax"] == D("250000.00")


def test_assets_ceiling_and_restricted_industry():
    big = {"employees_by_quarter": SMALL["employees_by_quarter"],
           "assets_by_quarter": [{"start": "50000000", "end": "50000000.02"}]}
    assert amounts("cit_annual", {"period": "2026", "income_before_rd": "100000", **big})["tax"] == D("25000.00")
    assert annual("100000", restricted_industry=True)["tax"] == D("25000.00")


def test_hnte_15_percent_and_the_better_of_hnte_and_small_low_profit():
    assert annual("10000000", hnte=True)["tax"] == D("1500000.00")
    r = calc("cit_annual", {"period": "2026", "income_before_rd": "1000000", "hnte": True, **SMALL})
    assert r.amounts["tax"] == D("50000.00") and "小型微利" in r.line("effective_rate").label_zh


def test_rd_super_deduction_and_the_negative_list():
    a = annual("5000000", rd_expensed="800000", rd_amortised="200000")
    assert (a["rd_extra"], a["taxable_income"], a["tax"]) == (D("1000000.00"), D("4000000.00"), D("1000000.00"))
    a = annual("5000000", rd_expensed="800000", negative_list_industry=True)
    assert a["taxable_income"] == D("5000000.00") and "rd_extra" not in a
    # the super-deduction can bring income under the small low-profit ceiling
    assert annual("3500000", rd_expensed="500000")["tax"] == D("150000.00")


def test_losses_prepaid_and_refund():
    a = annual("1000000", loss_carried_forward="400000", prepaid="40000")
    assert (a["taxable_income"], a["tax"], a["tax_due"]) == (D("600000.00"), D("30000.00"), D("-10000.00"))


def test_quarterly_prepayment_on_cumulative_profit():
    """Q2: cumulative profit 1,000,000 at 5 % = 50,000, less 10,000 prepaid in Q1."""
    quarters = [{"start": 10, "end": 12}, {"start": 12, "end": 12}]
    assets = [{"start": "1000000", "end": "2000000"}, {"start": "2000000", "end": "2000000"}]
    payload = {"period": "2026-Q2", "cumulative_profit": "1000000", "employees_by_quarter": quarters,
               "assets_by_quarter": assets, "prepaid_this_year": "10000"}
    a = amounts("cit_quarterly", payload)
    assert (a["cumulative_tax"], a["tax_due"]) == (D("50000.00"), D("40000.00"))
    assert amounts("cit_quarterly", {**payload, "prepaid_this_year": "60000"})["tax_due"] == D("0.00")
    assert amounts("cit_quarterly", {**payload, "cumulative_profit": "-5000"})["cumulative_tax"] == D("0.00")


def test_small_low_profit_relief_is_not_extended_past_2027():
    with pytest.raises(ParameterNotInForce, match="no parameter in force for 2028"):
        calc("cit_annual", {"period": "2028", "income_before_rd": "100000", **SMALL})
    assert annual("100000")["tax"] == D("5000.00")
