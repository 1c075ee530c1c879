"""Pre-fill: totals equal the invoice data exactly, traces list exactly the contributing invoices, the
filed VAT equals the law calculator's result, and the 六税两费 halving applies exactly where it should."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.filing import factory
from zhishui.core.periods import Period
from zhishui.filing import present, services, sources
from zhishui.law import interface

pytestmark = pytest.mark.django_db

ON = date(2026, 10, 8)
RATES = ["0.13", "0.09", "0.06", "0.03", "0.05", "0"]
CELL = {("0.13", True): "sales_13_goods", ("0.13", False): "sales_13_services", ("0.09", True): "sales_9_goods",
        ("0.09", False): "sales_9_services", ("0.06", True): "sales_6", ("0.06", False): "sales_6",
        ("0.03", True): "sales_simple_3", ("0.03", False): "sales_simple_3", ("0.05", True): "sales_simple_5",
        ("0.05", False): "sales_simple_5", ("0", True): "line_8", ("0", False): "line_8"}
_n = itertools.count(100)

line = st.tuples(st.booleans(), st.integers(1, 5_000_000), st.sampled_from(RATES))
invoice_st = st.tuples(st.lists(line, min_size=1, max_size=3), st.booleans(), st.booleans(), st.integers(1, 30))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(invoices=st.lists(invoice_st, min_size=0, max_size=6), inputs=st.lists(st.integers(1, 900_000), max_size=4))
def test_prefill_totals_equal_the_invoices_exactly_red_included(invoices, inputs):
    n = next(_n)
    me, buyer = factory.taxpayer(n), factory.outsider(n)
    expected: dict[str, Decimal] = {}
    contributing: dict[str, set[str]] = {}
    for lines, red, special, day in invoices:
        parts = [("1" if goods else "3", f"{fen_ / 100:.2f}", rate) for goods, fen_, rate in lines]
        blue = factory.invoice(me, buyer, datetime(2026, 9, day, 9), parts, kind="special" if special else "ordinary")
        for code, amount, rate in parts:
            cell = CELL[(rate, code == "1")]
            expected[cell] = expected.get(cell, Decimal(0)) + Decimal(amount)
            contributing.setdefault(cell, set()).add(blue.invoice_no)
        if red:  # a full red reversal in the same month
            red_inv = factory.invoice(me, buyer, datetime(2026, 9, day, 15),
                                      [(c, f"-{a}", r) for c, a, r in parts], red_of=blue.invoice_no)
            for code, amount, rate in parts:
                cell = CELL[(rate, code == "1")]
                expected[cell] -= Decimal(amount)
                contributing[cell].add(red_inv.invoice_no)
    input_tax = Decimal(0)
    input_numbers = set()
    for i, fen_ in enumerate(inputs):
        seller = factory.outsider(10_000 * n + i)
        inv = factory.invoice(seller, me, datetime(2026, 9, 2, 9), [("1", f"{fen_ / 100:.2f}", "0.13")],
                              confirmed=date(2026, 9, 25))
        input_tax += inv.tax
        input_numbers.add(inv.invoice_no)
    # An input invoice confirmed in another month does not count.
    factory.invoice(factory.outsider(99_999_00 + n), me, datetime(2026, 9, 2), [("1", "100.00", "0.13")],
                    confirmed=date(2026, 10, 2))
    ret = services.prefill_return(me.tax_id, "vat_general", "2026-09", on=ON)
    for cell, amount in expected.items():
        assert Decimal(ret.values[cell]) == amount, cell
        assert {i["invoice_no"] for i in present.trace(ret, cell)["invoices"]} == contributing[cell]
    assert Decimal(ret.values["line_12"]) == input_tax
    assert {i["invoice_no"] for i in present.trace(ret, "line_12")["invoices"]} == input_numbers
    at_rates = ("sales_13_goods", "sales_13_services", "sales_9_goods", "sales_9_services", "sales_6")
    assert Decimal(ret.values["line_1"]) == sum(expected.get(c, Decimal(0)) for c in at_rates)
    assert {i["invoice_no"] for i in present.trace(ret, "line_1")["invoices"]} == set().union(
        *(contributing.get(c, set()) for c in at_rates))


def _payload(values: dict) -> dict:
    s13 = Decimal(values["sales_13_goods"]) + Decimal(values["sales_13_services"])
    s9 = Decimal(values["sales_9_goods"]) + Decimal(values["sales_9_services"])
    return {"period": "2026-09", "sales_13": f"{s13:.2f}", "sales_9": f"{s9:.2f}", "sales_6": values["sales_6"],
            "simplified_sales_3": values["sales_simple_3"], "simplified_sales_5": values["sales_simple_5"],
            "export_sales": values["line_7"], "exempt_sales": values["line_8"], "input_tax": values["line_12"],
            "previous_credit": values["line_13"], "input_transfer_out": values["line_14"],
            "export_refund": values["line_15"], "tax_reduction": values["line_23"]}


def test_filed_vat_equals_the_law_calculator(rf, django_user_model):
    from tests.conftest import make_user

    me, other = factory.taxpayer(1), factory.outsider(1)
    factory.invoice(me, other, datetime(2026, 9, 3), [("1", "123456.78", "0.13"), ("3", "10000.00", "0.09"),
                                                      ("3", "3333.33", "0.06")])
    factory.invoice(other, me, datetime(2026, 9, 1), [("1", "20000.00", "0.13")], confirmed=date(2026, 9, 30))
    ret = services.prefill_return(me.tax_id, "vat_general", "2026-09", on=ON)
    request = rf.post("/")
    request.user = make_user("tp1", "taxpayer", taxpayer_id=me.tax_id)
    ret = services.change_cell(ret, "line_14", "150.00", "进项转出：职工福利", request=request)
    ret = services.file_return(ret, request=request, on=ON)
    law = interface.run("vat_general", _payload(ret.values))["amounts"]
    for key in ("line_1", "line_11", "line_12", "line_17", "line_18", "line_19", "line_20", "line_24"):
        assert ret.values[key] == law[key], key
    sur = interface.run("surcharges", {"period": "2026-09", "vat_paid": law["line_24"],
                                       "sales": law["line_1"], "halving_eligible": False,
                                       "location_class": "city"})["amounts"]
    assert (ret.values["line_39"], ret.values["line_40"], ret.values["line_41"]) == (
        sur["urban_maintenance_tax"], sur["education_surcharge"], sur["local_education_surcharge"])
    assert ret.payable == Decimal(law["line_24"]) + Decimal(sur["total"])
    assert sorted(p.item for p in ret.payables.all()) == ["education_surcharge", "local_education_surcharge",
                                                          "urban_maintenance_tax", "vat"]


@pytest.mark.parametrize(("vat_status", "kind", "small_low_profit", "halved"), [
    ("small_scale", "enterprise", False, True),
    ("general", "enterprise", False, False),
    ("general", "individual_business", False, True),
    ("general", "enterprise", True, True),
])
def test_six_taxes_two_fees_halving_applies_exactly_to_the_qualifying(vat_status, kind, small_low_profit, halved):
    from zhishui.filing.models import Return

    me, other = factory.taxpayer(7, vat_status=vat_status, kind=kind, entity_type=kind), factory.outsider(7)
    rate = "0.01" if vat_status == "small_scale" else "0.13"
    factory.invoice(me, other, datetime(2026, 9, 3), [("1", "300000.00", rate)], kind="ordinary")
    if small_low_profit:
        Return.objects.create(taxpayer_id=me.tax_id, form="cit_quarterly", period="2026-Q2", status="filed",
                              values={"small_low_profit": "1"})
    form = "vat_small_scale" if vat_status == "small_scale" else "vat_general"
    ret = services.prefill_return(me.tax_id, form, "2026-09", on=ON)
    vat = ret.values["line_22"] if vat_status == "small_scale" else ret.values["line_24"]
    urban = ret.values["line_23"] if vat_status == "small_scale" else ret.values["line_39"]
    full = (Decimal(vat) * Decimal("0.07")).quantize(Decimal("0.01"))
    expected = (full - (full * Decimal("0.5")).quantize(Decimal("0.01"))) if halved else full
    assert Decimal(urban) == expected
    assert ret.profile["halving_eligible"] is halved
    trace = present.trace(ret, "line_23" if vat_status == "small_scale" else "line_39")
    assert any(p["name"] == "surcharges.urban_maintenance_rate" for p in trace["params"])
    assert any("reduction" in c["key"] for c in trace["calc"]) is halved


def test_small_scale_exemption_and_one_percent_applied_by_the_law():
    me, other = factory.taxpayer(8, vat_status="small_scale"), factory.outsider(8)
    factory.invoice(me, other, datetime(2026, 9, 3), [("1", "100000.00", "0.01")], kind="ordinary")
    exempt = services.prefill_return(me.tax_id, "vat_small_scale", "2026-09", on=ON)
    assert exempt.values["line_1"] == "0.00" and exempt.values["line_9"] == "100000.00"
    assert exempt.payable == 0
    me2 = factory.taxpayer(9, vat_status="small_scale")
    factory.invoice(me2, other, datetime(2026, 9, 3), [("1", "100000.01", "0.01")], kind="special")
    taxed = services.prefill_return(me2.tax_id, "vat_small_scale", "2026-09", on=ON)
    assert taxed.values["line_1"] == "100000.01" and taxed.values["line_2"] == "100000.01"
    law = interface.run("vat_small_scale", {"period": "2026-09", "sales_3": "100000.01"})["amounts"]
    assert taxed.values["line_20"] == law["line_20"] == "1000.00"


def test_cell_traces_of_derived_lines_show_calculator_lines_and_citations():
    me, other = factory.taxpayer(10), factory.outsider(10)
    inv = factory.invoice(me, other, datetime(2026, 9, 3), [("1", "1000.00", "0.13")])
    ret = services.prefill_return(me.tax_id, "vat_general", "2026-09", on=ON)
    t = present.trace(ret, "line_11")
    assert t["calc"] and any(p["name"] == "vat.rate_standard" and p["citation"] for p in t["params"])
    assert [i["invoice_no"] for i in present.trace(ret, "sales_13_goods")["invoices"]] == [inv.invoice_no]
    assert present.trace(ret, "sales_13_goods")["invoices"][0]["link"] == f"/filing/invoices/imported/{inv.invoice_no}/"
    assert present.trace(ret, "line_13")["facts"]
    line1 = present.trace(ret, "line_1")
    assert [i["invoice_no"] for i in line1["invoices"]] == [inv.invoice_no]
    assert [c["key"] for c in line1["from_cells"]][:2] == ["sales_13_goods", "sales_13_services"]


def test_previous_credit_is_carried_from_the_previous_return(rf):
    from tests.conftest import make_user

    me, other = factory.taxpayer(11), factory.outsider(11)
    factory.invoice(other, me, datetime(2026, 8, 3), [("1", "10000.00", "0.13")], confirmed=date(2026, 8, 20))
    request = rf.post("/")
    request.user = make_user("tp11", "taxpayer", taxpayer_id=me.tax_id)
    aug = services.file_return(services.prefill_return(me.tax_id, "vat_general", "2026-08", on=ON),
                               request=request, on=ON)
    assert aug.values["line_20"] == "1300.00"
    sep = services.prefill_return(me.tax_id, "vat_general", "2026-09", on=ON)
    assert sep.values["line_13"] == "1300.00"
    assert present.trace(sep, "line_13")["facts"][0]["link"] == f"/filing/returns/{aug.pk}/"


def test_refreshing_the_prefill_keeps_the_taxpayers_changes_and_versions(rf):
    from tests.conftest import make_user

    me, other = factory.taxpayer(12), factory.outsider(12)
    factory.invoice(me, other, datetime(2026, 9, 3), [("1", "1000.00", "0.13")])
    ret = services.prefill_return(me.tax_id, "vat_general", "2026-09", on=ON)
    request = rf.post("/")
    request.user = make_user("tp12", "taxpayer", taxpayer_id=me.tax_id)
    services.change_cell(ret, "sales_6", "500.00", "未开票收入", request=request)
    factory.invoice(me, other, datetime(2026, 9, 4), [("1", "2000.00", "0.13")])
    ret = services.prefill_return(me.tax_id, "vat_general", "2026-09", on=ON)
    assert ret.values["sales_13_goods"] == "3000.00" and ret.values["sales_6"] == "500.00"
    assert list(ret.prefills.values_list("version", flat=True)) == [2, 1]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.lists(st.tuples(st.integers(1, 12), st.integers(1, 28), st.booleans(), st.integers(1, 12)),
                     max_size=8))
@pytest.mark.django_db
def test_the_year_to_date_read_is_the_quarters_read_one_by_one(days):
    """The CIT prepayment reads January to the quarter's end at once: exactly the rows of its quarters read one
    by one, in both directions, the months after the quarter left out (in date order, where the quarters one
    by one listed an input invoice under the quarter its deduction was confirmed in)."""
    n = next(_n)
    me, other = factory.taxpayer(n), factory.outsider(n)
    for month, day, bought, confirmed_month in days:
        seller, buyer = (other, me) if bought else (me, other)
        factory.invoice(seller, buyer, datetime(2026, month, day, 10), [("1", f"{month * 100 + day}.00", "0.13")],
                        confirmed=date(2026, confirmed_month, 28) if bought else None)
    for quarter in (1, 2, 3):
        ytd = sources.rows_for(sources.YearToDate(Period.quarter(2026, quarter)), me.tax_id)
        one_by_one = {sources.OUTPUT: [], sources.INPUT: []}
        for q in range(1, quarter + 1):
            part = sources.rows_for(Period.quarter(2026, q), me.tax_id)
            for direction in one_by_one:
                one_by_one[direction] += part[direction]
        assert {d: sorted(rows, key=lambda r: (r.date, r.invoice_no, r.rate, r.goods))
                for d, rows in one_by_one.items()} == ytd
