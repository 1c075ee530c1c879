"""个人所得税: annual reconciliation, cumulative withholding, annual bonus, business income."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from zhishui.law.parameters import ParameterNotInForce

from .conftest import amounts, calc


def test_sta_withholding_example_one():
    """国家税务总局公告2018年第61号政策解读, 示例一: wage 10,000, 三险一金 1,500, 子女教育 1,000 →
    75, 75, 75 in January–March."""
    month = {"wage": "10000", "special_deductions": "1500", "special_additional_deductions": "1000"}
    a = amounts("iit_withholding", {"period": "2019", "months": [month] * 3})
    assert [a[f"withheld_0{m}"] for m in (1, 2, 3)] == [D("75.00")] * 3


def test_sta_withholding_example_two_crosses_the_36000_band():
    """国家税务总局公告2018年第61号政策解读, 示例二: wage 30,000, 三险一金 4,500, 专项附加 2,000 →
    555, 625, 1,850."""
    month = {"wage": "30000", "special_deductions": "4500", "special_additional_deductions": "2000"}
    a = amounts("iit_withholding", {"period": "2019", "months": [month] * 3})
    assert [a["withheld_01"], a["withheld_02"], a["withheld_03"]] == [D("555.00"), D("625.00"), D("1850.00")]


def test_withholding_is_never_negative_in_year():
    months = [{"wage": "20000"}, {"wage": "20000"}, {"wage": "0"}, {"wage": "0"}]
    a = amounts("iit_withholding", {"period": "2026", "months": months, "first_month": 1})
    assert a["withheld_03"] == D("0.00") and a["withheld_04"] == D("0.00")
    assert a["withheld_total"] == a["withheld_01"] + a["withheld_02"]


def test_mid_year_first_job_deducts_from_january():
    """国家税务总局公告2020年第13号: July, first job of the year: 5,000 × 7 deducted."""
    payload = {"period": "2026", "months": [{"wage": "20000"}], "first_month": 7}
    assert amounts("iit_withholding", payload)["withheld_07"] == D("450.00")  # (20,000 − 5,000) × 3 %
    assert amounts("iit_withholding", {**payload, "deduct_from_january": True})["withheld_07"] == D("0.00")


def test_low_prior_year_income_deducts_60000_from_january():
    """国家税务总局公告2020年第19号: nothing withheld until cumulative income passes 60,000."""
    months = [{"wage": "5500"}] * 12
    a = amounts("iit_withholding", {"period": "2026", "months": months, "prior_year_low_income": True})
    assert [a[f"withheld_{m:02d}"] for m in range(1, 11)] == [D("0.00")] * 10
    assert a["withheld_11"] == D("15.00")  # (60,500 − 60,000) × 3 %
    assert a["withheld_total"] == D("180.00")  # (66,000 − 60,000) × 3 %


def test_withholding_months_must_fit_the_year():
    with pytest.raises(Exception, match="months"):
        calc("iit_withholding", {"period": "2026", "months": [{"wage": "1"}] * 3, "first_month": 11})


def test_annual_reconciliation_sta_example():
    """After the STA's 2019 年度汇算 explainer (小李): wage 10,000/month, 三险一金 2,000/month, 子女教育
    1,000/month → (120,000 − 60,000 − 24,000 − 12,000) × 3 % = 720."""
    a = amounts("iit_annual", {"period": "2025", "wages": "120000", "special_deductions": "24000",
                               "special_additional_deductions": "12000", "prepaid": "720"})
    assert (a["taxable_income"], a["tax"], a["tax_due"]) == (D("24000.00"), D("720.00"), D("0.00"))


def test_remuneration_author_and_royalty_income_amounts():
    """个人所得税法第六条第二款: 劳务报酬、特许权使用费 × 80 %; 稿酬 × 80 % × 70 %."""
    r = calc("iit_annual", {"period": "2026", "wages": "100000", "remuneration": "50000", "author": "20000",
                            "royalties": "10000", "special_deductions": "20000",
                            "special_additional_deductions": "24000", "prepaid": "5000"})
    assert (r.line("remuneration_income").value, r.line("author_income").value,
            r.line("royalty_income").value) == (D("40000.00"), D("11200.00"), D("8000.00"))
    assert r.amounts["taxable_income"] == D("55200.00")
    assert (r.amounts["tax"], r.amounts["tax_due"]) == (D("3000.00"), D("-2000.00"))  # 5,520 − 2,520; refund


def test_donations_are_capped_at_30_percent():
    """个人所得税法第六条第三款."""
    a = amounts("iit_annual", {"period": "2026", "wages": "160000", "donations": "40000"})
    assert a["taxable_income"] == D("70000.00") and a["tax"] == D("4480.00")
    a = amounts("iit_annual", {"period": "2026", "wages": "160000", "donations": "10000", "donations_full": "200000"})
    assert a["taxable_income"] == D("0.00") and a["tax"] == D("0.00")


@pytest.mark.parametrize("taxable, tax", [
    ("36000.00", "1080.00"), ("36000.01", "1080.00"), ("144000.00", "11880.00"), ("144000.01", "11880.00"),
    ("300000.00", "43080.00"), ("420000.00", "73080.00"), ("660000.00", "145080.00"), ("960000.00", "250080.00"),
    ("960000.01", "250080.00"),
])
def test_band_seams_are_continuous(taxable, tax):
    wages = str(D(taxable) + 60000)
    assert amounts("iit_annual", {"period": "2026", "wages": wages})["tax"] == D(tax)


@pytest.mark.parametrize("bonus, tax", [("36000", "1080.00"), ("36000.01", "3390.00"), ("144000", "14190.00"),
                                        ("144000.01", "27390.00"), ("0", "0.00")])
def test_annual_bonus_separate_taxation_and_its_cliffs(bonus, tax):
    """财税〔2018〕164号第一条: bonus × rate − quick deduction, rate found on bonus ÷ 12."""
    assert amounts("iit_bonus", {"period": "2027", "bonus": bonus})["tax"] == D(tax)


def test_annual_bonus_policy_ends_2027_12_31():
    with pytest.raises(ParameterNotInForce, match=r"iit\.bonus\.separate_taxation"):
        calc("iit_bonus", {"period": "2028", "bonus": "36000"})


def test_individual_business_halving_above_two_million():
    """财政部 税务总局公告2023年第12号第一条, formula of 国家税务总局公告2023年第5号: taxable 2,500,000 →
    tax 809,500; tax on the first 2,000,000 = 634,500; relief 317,250."""
    a = amounts("iit_business", {"period": "2026", "revenue": "3000000", "costs": "500000",
                                 "individual_business": True})
    assert (a["tax"], a["halving_relief"], a["tax_due"]) == (D("809500.00"), D("317250.00"), D("492250.00"))


def test_individual_business_halving_with_other_reductions():
    """公告2023年第5号 formula: (6,500 − 2,000 × 80,000 ÷ 80,000) × 50 % = 2,250."""
    a = amounts("iit_business", {"period": "2026", "revenue": "80000", "individual_business": True,
                                 "other_reductions": "2000"})
    assert (a["tax"], a["halving_relief"], a["tax_due"]) == (D("6500.00"), D("2250.00"), D("2250.00"))


def test_business_income_personal_deductions_and_sole_proprietors():
    """实施条例第十五条第二款: no comprehensive income → 60,000 and personal deductions here."""
    a = amounts("iit_business", {"period": "2026", "revenue": "200000", "personal_deductions": True,
                                 "special_deductions": "10000", "special_additional_deductions": "12000"})
    assert (a["taxable_income"], a["tax"], a["tax_due"]) == (D("118000.00"), D("13100.00"), D("13100.00"))
    with pytest.raises(ParameterNotInForce):
        calc("iit_business", {"period": "2028", "revenue": "80000", "individual_business": True})
    assert amounts("iit_business", {"period": "2028", "revenue": "80000"})["tax"] == D("6500.00")
