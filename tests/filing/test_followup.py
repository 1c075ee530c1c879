"""Calendar, to-do, non-filers, late payers, reminders, 非正常户 candidates, batch pre-fill, CIT and
property-and-behaviour pre-fill."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from tests.conftest import make_user
from tests.filing import factory
from zhishui.core.periods import Period
from zhishui.filing import calendar, followup, present, services
from zhishui.filing.models import AbnormalDecision, Payable, Prefill, PrefillJob, Reminder, Return

pytestmark = pytest.mark.django_db

ON = date(2026, 10, 8)


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


def test_calendar_rule_matches_the_shipped_2026_dates():
    data = calendar._load()["deadlines"]
    for m in range(1, 13):
        assert calendar.by_rule(2026, m) == data[f"2026-{m:02d}"]["date"], m
    assert calendar.deadline(Period.month(2026, 9)) == date(2026, 10, 22)  # 国庆 1–7 October
    assert calendar.deadline(Period.month(2026, 7)) == date(2026, 8, 17)  # the 15th is a Saturday
    assert calendar.deadline(Period.quarter(2026, 1)) == date(2026, 4, 20)
    assert calendar.deadline_info(Period.month(2026, 12))["basis"] == "rule"  # January 2027: by the rule


def test_non_filers_match_a_direct_query():
    filed_here, filed_feed, missing, small = (factory.taxpayer(1), factory.taxpayer(2), factory.taxpayer(3),
                                              factory.taxpayer(4, vat_status="small_scale", street="610303002"))
    factory.taxpayer(5, vat_status="none")  # not a VAT taxpayer
    factory.taxpayer(6, state="deregistered")
    factory.taxpayer(7, registered_on=date(2026, 10, 1))  # registered after the period
    Return.objects.create(taxpayer_id=filed_here.tax_id, form="vat_general", period="2026-09", status="filed")
    factory.historical_return(filed_feed, "2026-09")
    factory.historical_return(missing, "2026-09", filed=False)
    rows = followup.non_filers(Period.month(2026, 9))
    from django.db.models import Q

    from zhishui.registry.models import TaxRegistration, TaxReturn

    def not_filed(vat_status: str, period: str) -> set[str]:
        return set(TaxRegistration.objects.filter(vat_status=vat_status, registered_on__lte=date(2026, 9, 30))
                   .exclude(state="deregistered")
                   .exclude(taxpayer__tax_id__in=Return.objects.filter(period=period, status="filed")
                            .values("taxpayer_id"))
                   .exclude(taxpayer__in=TaxReturn.objects.filter(Q(period=period), tax_type="vat")
                            .exclude(filed_key="").values("taxpayer"))
                   .values_list("taxpayer__tax_id", flat=True))

    expected = not_filed("general", "2026-09") | not_filed("small_scale", "2026-Q3")
    assert {r["taxpayer_id"] for r in rows} == expected == {missing.tax_id, small.tax_id}
    assert {r["period"] for r in rows} == {"2026-09", "2026-Q3"}
    # August does not end a quarter: only the general taxpayers owe a return, and none filed one.
    assert {r["taxpayer_id"] for r in followup.non_filers(Period.month(2026, 8))} == {
        filed_here.tax_id, filed_feed.tax_id, missing.tax_id}
    assert [r["taxpayer_id"] for r in followup.non_filers(Period.month(2026, 9), street="610303002")] == [
        small.tax_id]


def test_reminders_late_payers_and_todo():
    me = factory.taxpayer(1)
    ret = Return.objects.create(taxpayer_id=me.tax_id, form="vat_general", period="2026-08", status="filed",
                                due_on=date(2026, 9, 15))
    Payable.objects.create(ret=ret, taxpayer_id=me.tax_id, item="vat", amount=Decimal("10.00"),
                           due_on=date(2026, 9, 15))
    on = date(2026, 10, 20)  # two days before the October deadline (22nd)
    assert followup.send_reminders(on) == 2
    assert followup.send_reminders(on) == 0  # once only
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"due_soon", "unpaid"}
    assert [r["taxpayer_id"] for r in followup.late_payers(on)] == [me.tax_id]
    todo = followup.todo(me.tax_id, on)
    assert {(i["kind"], i["period"]) for i in todo} == {("file", "2026-09"), ("pay", "2026-08"),
                                                        ("file", "2026-Q3")}
    assert "property_behaviour" not in {i["form"] for i in todo}
    factory.holding(me, "H9", value="100000.00")
    assert "property_behaviour" in {i["form"] for i in followup.todo(me.tax_id, on)}


def test_abnormal_candidates_and_the_staff_decision():
    active, silent, new = factory.taxpayer(1), factory.taxpayer(2), factory.taxpayer(3, registered_on=date(2026, 9, 1))
    factory.historical_return(active, "2026-08", tax_type="social_insurance")
    as_of = Period.month(2026, 9)
    assert [c["taxpayer_id"] for c in followup.abnormal_candidates(as_of)] == [silent.tax_id]
    staff = make_user("coll", "collection")
    with pytest.raises(Exception, match="reason"):
        followup.decide_abnormal(silent.tax_id, as_of, "mark", "", request=_request(staff))
    followup.decide_abnormal(silent.tax_id, as_of, "mark", "实地核查无经营", request=_request(staff))
    assert AbnormalDecision.objects.get().by == "coll"
    assert followup.abnormal_candidates(as_of) == []
    assert new.tax_id not in {c["taxpayer_id"] for c in followup.abnormal_candidates(as_of)}


def test_batch_prefill_for_the_district_and_the_pipeline_command(capsys):
    a, b, c = factory.taxpayer(1), factory.taxpayer(2, vat_status="small_scale"), factory.taxpayer(3)
    other = factory.outsider(1)
    factory.invoice(a, other, datetime(2026, 9, 3), [("1", "1000.00", "0.13")])
    factory.invoice(b, other, datetime(2026, 9, 3), [("1", "5000.00", "0.01")])
    factory.invoice(other, a, datetime(2026, 9, 3), [("1", "100.00", "0.13")], confirmed=date(2026, 9, 9))
    factory.holding(a, "H1", value="1000000.00")
    services.prefill_return(c.tax_id, "vat_general", "2026-09", on=ON)  # already proposed: left alone
    feed_filed = factory.taxpayer(4, kind="individual_business", entity_type="individual_business")
    factory.historical_return(feed_filed, "2026-09")  # the returns feed says it filed: no proposal
    job = services.batch_prefill("2026-09", on=ON)
    assert job.status == "done" and job.total == job.done == 4 + 1 + 3 and job.failed == 0  # VAT, property, CIT
    assert not Return.objects.filter(taxpayer_id=feed_filed.tax_id).exists()
    assert [i["form"] for i in followup.todo(feed_filed.tax_id, ON)] == []
    assert Return.objects.get(taxpayer_id=b.tax_id, form="vat_small_scale").values["sales_3_special"] == "5000.00"
    single = services.propose("vat_general", services.parties.profile(a.tax_id), Period.month(2026, 9))[0]
    batch = Return.objects.get(taxpayer_id=a.tax_id, period="2026-09")
    assert batch.values["sales_13_goods"] == "1000.00" and batch.values["line_12"] == "13.00"
    assert services._cells("vat_general", single) == Prefill.objects.get(ret=batch).cells
    assert present.trace(batch, "line_12")["invoices"][0]["direction"] == "input"
    assert Return.objects.get(taxpayer_id=b.tax_id, form="vat_small_scale").period == "2026-Q3"  # quarterly
    assert list(Return.objects.filter(period="2026-Q3", form="property_behaviour")
                .values_list("taxpayer_id", flat=True)) == [a.tax_id]  # the only property holder
    assert Return.objects.filter(period="2026-Q3", form="cit_quarterly").count() == 3
    assert Return.objects.filter(period="2026-09").count() == 2
    call_command("pipeline", "prefill", "--period", "2026-09")
    assert "pre-filled" in capsys.readouterr().out
    assert Return.objects.filter(period__in=["2026-09", "2026-Q3"], form__startswith="vat").count() == 3
    # In a month that does not end a quarter only the general taxpayers owe a return.
    assert services.batch_prefill("2026-08", on=ON).total == 3
    assert PrefillJob.objects.count() == 3
    with pytest.raises(SystemExit):
        call_command("pipeline", "prefill", "--period", "2999-01")


def test_cit_quarterly_prefill_carries_previous_quarters_and_the_small_low_profit_test():
    me, other = factory.taxpayer(1), factory.outsider(1)
    factory.invoice(me, other, datetime(2026, 2, 3), [("1", "400000.00", "0.13")])
    factory.invoice(me, other, datetime(2026, 5, 3), [("1", "600000.00", "0.13")])
    factory.invoice(other, me, datetime(2026, 5, 3), [("1", "300000.00", "0.13")], confirmed=date(2026, 5, 9))
    factory.insured(me, "2026-04", 20)
    factory.insured(me, "2026-06", 22)
    user = make_user("tp", "taxpayer", taxpayer_id=me.tax_id)
    q1 = services.prefill_return(me.tax_id, "cit_quarterly", "2026-Q1", on=ON)
    assert q1.values["line_1"] == "400000.00" and q1.values["line_3"] == "400000.00"
    request = _request(user)
    services.change_cell(q1, "assets_start", "1000000.00", request=request)
    services.change_cell(q1, "assets_end", "1200000.00", request=request)
    q1 = services.file_return(Return.objects.get(pk=q1.pk), request=request, on=ON)
    assert q1.values["small_low_profit"] == "1" and q1.values["line_16"] == "20000.00"  # 5 % effective
    q2 = services.prefill_return(me.tax_id, "cit_quarterly", "2026-Q2", on=ON)
    assert q2.values["line_1"] == "1000000.00" and q2.values["line_2"] == "300000.00"
    assert q2.values["line_14"] == "20000.00" and q2.values["assets_start"] == "1200000.00"
    assert (q2.values["employees_start"], q2.values["employees_end"]) == ("20", "22")
    assert q2.values["line_12"] == "35000.00" and q2.values["line_16"] == "15000.00"
    t = present.trace(q2, "small_low_profit")
    assert any(line["key"] == "small_low_profit" for line in t["calc"])


def test_property_and_behaviour_prefill_from_holdings_transactions_and_invoices():
    me, other = factory.taxpayer(1), factory.taxpayer(2)
    factory.holding(me, "H1", value="1000000.00", area="100", grade=2)
    factory.holding(me, "H2", rent="120000.00")
    factory.deal("T1", other, me, "500000.00", date(2026, 8, 1))
    factory.invoice(me, other, datetime(2026, 8, 3), [("1", "10000.00", "0.13"), ("3", "99.00", "0.06")])
    ret = services.prefill_return(me.tax_id, "property_behaviour", "2026-Q3", on=ON)
    v = ret.values
    assert v["property_value"] == "1000000.00" and v["property_value_months"] == "3"
    assert v["property_rent"] == "30000.00" and v["land_area"] == "100.00" and v["land_grade"] == "2"
    assert v["stamp_sale"] == "10000.00" and v["stamp_property_transfer"] == "500000.00"
    assert v["deed_price"] == "500000.00" and v["lat_proceeds"] == "0.00"
    assert Decimal(v["property_tax"]) > 0 and Decimal(v["deed_tax"]) > 0 and Decimal(v["land_use_tax"]) > 0
    assert Decimal(v["total"]) == sum(Decimal(v[k]) for k in ("property_tax", "land_use_tax", "stamp_tax",
                                                              "deed_tax", "lat_tax"))
    seller = services.prefill_return(other.tax_id, "property_behaviour", "2026-Q3", on=ON)
    assert seller.values["lat_proceeds"] == "500000.00"
    request = _request(make_user("tp2", "taxpayer", taxpayer_id=other.tax_id))
    with pytest.raises(Exception) as exc:
        services.file_return(seller, request=request, on=ON)
    assert exc.value.errors[0].field == "lat_land_cost"


def test_pipeline_reminders_and_non_filers_commands(capsys, monkeypatch):
    missing = factory.taxpayer(1)
    monkeypatch.setattr(services, "today", lambda: date(2026, 10, 23))
    call_command("pipeline", "non-filers", "--period", "2026-09")
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("taxpayer_id,") and missing.tax_id in out and "2026-10-22" in out
    call_command("pipeline", "reminders")
    assert "1" in capsys.readouterr().out
    assert Reminder.objects.get().kind == "overdue"
    with pytest.raises(SystemExit):
        call_command("pipeline", "non-filers", "--period", "2026-13")


def test_demo_step_prefills_the_latest_month_and_the_demo_taxpayer(monkeypatch):
    from zhishui.filing import demo

    monkeypatch.setattr(services, "today", lambda: date(2026, 11, 26))
    general, small = factory.taxpayer(1), factory.taxpayer(2, vat_status="small_scale")
    factory.invoice(general, small, datetime(2026, 10, 3), [("1", "1000.00", "0.13")])
    factory.invoice(small, general, datetime(2026, 9, 3), [("1", "1000.00", "0.01")])
    factory.historical_return(general, "2026-10")  # filed in the legacy system
    result = demo.run()
    assert result["prefill_period"] == "2026-10"
    assert set(Return.objects.values_list("taxpayer_id", "period")) == {(general.tax_id, "2026-09"),
                                                                         (small.tax_id, "2026-Q3")}
    make_user("demo_taxpayer", "taxpayer", taxpayer_id=general.tax_id)
    ret = demo.prefill_for_demo_taxpayer()
    assert (ret.period, ret.values["sales_13_goods"]) == ("2026-10", "1000.00")
    assert [i["period"] for i in followup.todo(general.tax_id, date(2026, 11, 26))] == ["2026-10"]
