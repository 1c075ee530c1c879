"""Property tests (hypothesis) on the IIT and small-scale VAT calculators."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import amounts

money = st.integers(min_value=0, max_value=10_000_000_00).map(lambda f: Decimal(f).scaleb(-2))
monthly = st.integers(min_value=0, max_value=200_000_00).map(lambda f: Decimal(f).scaleb(-2))


@settings(max_examples=150, deadline=None)
@given(wage=monthly, special=st.integers(0, 5_000_00), extra=st.integers(0, 9_000_00))
def test_twelve_months_of_withholding_equal_the_annual_liability(wage, special, extra):
    """国家税务总局公告2018年第61号: with a steady wage and steady deductions, the cumulative method
    withholds exactly the annual tax of 个人所得税法第六条 over twelve months."""
    special, extra = Decimal(special).scaleb(-2), Decimal(extra).scaleb(-2)
    month = {"wage": str(wage), "special_deductions": str(special), "special_additional_deductions": str(extra)}
    withheld = amounts("iit_withholding", {"period": "2026", "months": [month] * 12})["withheld_total"]
    annual = amounts("iit_annual", {"period": "2026", "wages": str(wage * 12), "special_deductions": str(special * 12),
                                    "special_additional_deductions": str(extra * 12)})["tax"]
    assert withheld == annual


@settings(max_examples=100, deadline=None)
@given(wages=st.lists(monthly, min_size=1, max_size=12))
def test_monthly_withholding_is_never_negative(wages):
    a = amounts("iit_withholding", {"period": "2026", "months": [{"wage": str(w)} for w in wages]})
    assert all(v >= 0 for v in a.values())


@settings(max_examples=200, deadline=None)
@given(wages=money, rise=money, remuneration=money, deductions=money, donations=money)
def test_annual_tax_is_non_negative_and_monotone_in_income(wages, rise, remuneration, deductions, donations):
    base = {"period": "2026", "remuneration": str(remuneration), "special_deductions": str(deductions),
            "donations": str(donations)}
    low = amounts("iit_annual", {**base, "wages": str(wages)})["tax"]
    high = amounts("iit_annual", {**base, "wages": str(wages + rise)})["tax"]
    assert 0 <= low <= high


@settings(max_examples=150, deadline=None)
@given(taxable=money)
def test_annual_tax_never_exceeds_45_percent_of_taxable_income(taxable):
    tax = amounts("iit_annual", {"period": "2026", "wages": str(taxable + 60000)})["tax"]
    assert tax <= (taxable * Decimal("0.45")).quantize(Decimal("0.01")) + Decimal("0.01")


@settings(max_examples=150, deadline=None)
@given(sales=money, quarterly=st.booleans())
def test_small_scale_vat_is_zero_or_one_percent_of_all_sales(sales, quarterly):
    period, threshold = ("2026-Q2", 300000) if quarterly else ("2026-05", 100000)
    tax = amounts("vat_small_scale", {"period": period, "sales_3": str(sales)})["line_20"]
    assert tax == (Decimal(0) if sales <= threshold else (sales / 100).quantize(Decimal("0.01"), "ROUND_HALF_UP"))
