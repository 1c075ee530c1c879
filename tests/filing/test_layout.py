"""The VAT returns laid out line by line as the official forms (国家税务总局公告2021年第20号): the lines
carried from the previous return, lines 30/31 from the platform's payments, the 即征即退 column, 加计抵减,
the 本年累计 column (page, API, exports) and the cross-line checks."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import login, make_user
from tests.filing import factory
from tests.web.test_accessibility import _unlabelled
from zhishui.core.errors import ValidationFailure
from zhishui.filing import present, services
from zhishui.filing.models import Payable, Return
from zhishui.law import interface

pytestmark = pytest.mark.django_db

ON = date(2026, 10, 8)


@pytest.fixture
def request_as(rf):
    def make(taxpayer):
        request = rf.post("/")
        request.user = make_user(f"tp{taxpayer.pk}", "taxpayer", taxpayer_id=taxpayer.tax_id)
        return request
    return make


def _change(ret, request, **cells):
    for cell, value in cells.items():
        ret = services.change_cell(ret, cell, value, "测试", request=request)
    return ret


def _august(me, request) -> Return:
    """An August return with an inspection adjustment, 加计抵减 left over, 即征即退 credit and tax unpaid."""
    other = factory.outsider(me.pk)
    factory.invoice(me, other, datetime(2026, 8, 3), [("1", "100000.00", "0.13")])
    factory.invoice(other, me, datetime(2026, 8, 2), [("1", "50000.00", "0.13")], confirmed=date(2026, 8, 20))
    aug = services.prefill_return(me.tax_id, "vat_general", "2026-08", on=ON)
    aug = _change(aug, request, line_16="600.00", line_22="90.00", line_37="100.00", super_credit_class="1",
                  super_credit_opening="7000.00", jz_line_11="1300.00", jz_line_12="2000.00")
    return services.file_return(aug, request=request, on=ON)


def test_lines_25_36_the_refund_column_and_the_additional_credit_are_carried_from_the_previous_return(request_as):
    me = factory.taxpayer(1)
    request = request_as(me)
    aug = _august(me, request)
    v = aug.values
    # 11 = 13,000; 17 = 6,500 + 600 = 7,100; before the credit 5,900; credit 7,000 + 325 → used 5,900, 1,425 left
    assert (v["line_17"], v["super_credit_current"], v["super_credit_used"], v["line_19"]) == (
        "7100.00", "325.00", "5900.00", "0.00")
    assert (v["super_credit_closing"], v["line_32"], v["line_38"], v["jz_line_20"]) == (
        "1425.00", "0.00", "590.00", "700.00")
    sep = services.prefill_return(me.tax_id, "vat_general", "2026-09", on=ON)
    assert (sep.values["line_25"], sep.values["line_36"], sep.values["super_credit_opening"],
            sep.values["jz_line_13"], sep.values["jz_line_25"]) == ("0.00", "590.00", "1425.00", "700.00", "0.00")
    for cell, line in (("line_36", "第38栏"), ("super_credit_opening", "期末余额"), ("jz_line_13", "即征即退")):
        fact = present.trace(sep, cell)["facts"][0]
        assert line in fact["label_zh"] and fact["link"] == f"/filing/returns/{aug.pk}/", cell
    # Without a previous return on the platform: 0, and the trace says why.
    alone = services.prefill_return(factory.taxpayer(2).tax_id, "vat_general", "2026-09", on=ON)
    assert alone.values["line_25"] == "0.00" and "平台上无上期申报表" in present.trace(alone, "line_25")["facts"][0][
        "label_zh"]
    # The checks hold the carried lines to the previous return.
    sep = _change(sep, request, line_36="0.00")
    errors, _warnings = services.check(sep, on=ON)
    assert [e["field"] for e in errors] == ["line_36"] and "第38栏" in errors[0]["message_zh"] and \
        "590.00" in errors[0]["message_en"]
    # Line 25 may differ (留抵税额抵减欠税): a warning, not a refusal.
    errors, warnings = services.check(_change(sep, request, line_36="590.00", line_25="10.00"), on=ON)
    assert errors == [] and [w["field"] for w in warnings] == ["line_25"] and "第32栏" in warnings[0]["message_zh"]


def test_tax_unpaid_is_carried_and_lines_30_31_come_from_the_payments_on_the_platform(request_as):
    me, other = factory.taxpayer(3), factory.outsider(3)
    request = request_as(me)
    factory.invoice(me, other, datetime(2026, 7, 3), [("1", "10000.00", "0.13")])
    factory.invoice(me, other, datetime(2026, 8, 3), [("1", "20000.00", "0.13")])
    jul = services.file_return(services.prefill_return(me.tax_id, "vat_general", "2026-07", on=ON), request=request,
                               on=ON)
    aug = services.prefill_return(me.tax_id, "vat_general", "2026-08", on=ON)
    assert aug.values["line_25"] == "1300.00" and aug.values["line_30"] == "0.00"
    aug = services.file_return(aug, request=request, on=ON)
    assert (aug.values["line_32"], aug.values["line_33"]) == ("3900.00", "1300.00")  # July's tax never paid
    # July's VAT paid in September (arrears), August's too (last period's tax).
    for ret in (jul, aug):
        services.pay(ret, request=request)
        Payable.objects.filter(ret=ret).update(paid_at=timezone.make_aware(datetime(2026, 9, 10, 10)))
    sep = services.prefill_return(me.tax_id, "vat_general", "2026-09", on=ON)
    assert (sep.values["line_25"], sep.values["line_30"], sep.values["line_31"]) == ("3900.00", "2600.00", "1300.00")
    assert (sep.values["line_27"], sep.values["line_32"], sep.values["line_33"]) == ("3900.00", "0.00", "0.00")
    facts = present.trace(sep, "line_30")["facts"]
    assert len(facts) == 1 and "2026-08" in facts[0]["label_zh"] and facts[0]["link"] == f"/filing/returns/{aug.pk}/"
    assert "平台上本期无" in present.trace(sep, "jz_line_30")["facts"][0]["label_zh"]
    assert present.trace(sep, "line_28")["facts"][0]["label_en"].startswith("not known to the platform")


def test_the_refund_column_is_computed_by_the_same_calculator_and_stays_out_of_the_general_lines(request_as):
    me, other = factory.taxpayer(4), factory.outsider(4)
    request = request_as(me)
    factory.invoice(me, other, datetime(2026, 9, 3), [("1", "10000.00", "0.13")])
    ret = services.prefill_return(me.tax_id, "vat_general", "2026-09", on=ON)
    general = {k: ret.values[k] for k in ("line_1", "line_11", "line_19", "line_24", "line_34")}
    ret = _change(ret, request, jz_line_2="20000.00", jz_line_11="2600.00", jz_line_12="1000.00",
                  jz_line_21="30.00", jz_line_35="1500.00")
    assert {k: ret.values[k] for k in general} == general
    law = interface.run("vat_general", {"period": "2026-09", "output_tax_entered": "2600.00", "input_tax": "1000.00",
                                        "simplified_tax_entered": "30.00"})["amounts"]
    for line in ("line_17", "line_18", "line_19", "line_20", "line_24", "line_27", "line_32", "line_33", "line_34"):
        assert ret.values[f"jz_{line}"] == law[line], line
    assert ret.values["jz_line_1"] == "20000.00" and ret.values["jz_line_34"] == "1630.00"
    # The surcharges are levied on the VAT of both columns; the 即征即退 VAT is a payable of its own.
    vat = Decimal(ret.values["line_34"]) + Decimal("1630.00")
    assert Decimal(ret.values["line_39"]) == (vat * Decimal("0.07")).quantize(Decimal("0.01"))
    ret = services.file_return(ret, request=request, on=ON)
    assert {p.item: p.amount for p in ret.payables.all()}["vat_immediate_refund"] == Decimal("1630.00")
    trace = present.trace(ret, "jz_line_19")
    assert trace["column"] == "refund" and trace["calc"] and trace["formula_zh"].startswith("11−18")


def test_year_to_date_is_the_sum_of_the_years_filed_returns_latest_revision_per_period(client, request_as):
    me, other = factory.taxpayer(5), factory.outsider(5)
    request = request_as(me)
    for month, amount in ((7, "1000.00"), (8, "2000.00"), (9, "4000.00")):
        factory.invoice(me, other, datetime(2026, month, 3), [("1", amount, "0.13")])
    # Last year's return does not count.
    Return.objects.create(taxpayer_id=me.tax_id, taxpayer_name=me.name, form="vat_general", period="2025-12",
                          status=Return.FILED, values={"line_11": "99999.00"})
    services.file_return(services.prefill_return(me.tax_id, "vat_general", "2026-07", on=ON), request=request, on=ON)
    aug = services.file_return(services.prefill_return(me.tax_id, "vat_general", "2026-08", on=ON), request=request,
                               on=ON)
    corr = services.start_correction(aug, request=request)
    corr = services.file_return(_change(corr, request, sales_6="500.00"), request=request, on=ON)  # August r1
    sep = services.prefill_return(me.tax_id, "vat_general", "2026-09", on=ON)
    cells = {c["key"]: c for c in present.return_data(sep)["cells"]}
    filed = [Return.objects.get(taxpayer_id=me.tax_id, period=p, status=Return.FILED) for p in ("2026-07", "2026-08")]
    assert filed[1].pk == corr.pk
    for key in ("line_1", "line_11", "line_19", "line_24", "line_27", "sales_6", "line_39", "jz_line_24"):
        expected = sum((Decimal(r.values[key]) for r in [*filed, sep]), Decimal(0))
        assert cells[key]["ytd"] == f"{expected:.2f}", key
    assert cells["line_11"]["ytd"] == "940.00"  # 130 + (260 + 30 from the correction's 6 %) + 520
    for balance in ("line_13", "line_20", "line_25", "line_32", "line_33", "line_34", "line_38", "super_credit_closing",
                    "super_credit_class"):
        assert cells[balance]["ytd"] is None, balance
    # The API detail and the exports carry the column.
    login(client, make_user("tp5b", "taxpayer", taxpayer_id=me.tax_id))
    api = client.get(f"/api/v1/filing/returns/{sep.pk}").json()
    assert {c["key"]: c["ytd"] for c in api["cells"]}["line_11"] == "940.00"
    assert api["ytd_periods"] == ["2026-07", "2026-08", "2026-09"]
    page = client.get(f"/filing/returns/{sep.pk}/").content.decode()
    assert 'data-testid="ytd-line_11">940.00<' in page and 'data-testid="cell-jz_line_35"' in page
    assert page.index('data-testid="cell-line_41"') < page.index('data-testid="cell-sales_13_goods"')  # form order
    assert _unlabelled(page) == []
    sep = services.file_return(sep, request=request, on=ON)
    sheet = load_workbook(io.BytesIO(client.get(f"/filing/returns/{sep.pk}/export.xlsx").content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if r[0] == "项目")
    assert header[:6] == ["项目", "栏次", "一般项目 本月数", "一般项目 本年累计", "即征即退项目 本月数",
                          "即征即退项目 本年累计"]
    line11 = next(r for r in rows if r[1] == "11")
    assert line11[2:4] == [Decimal("520.00"), Decimal("940.00")]
    assert next(r for r in rows if r[1] == "13")[3] == "——"
    assert client.get(f"/filing/returns/{sep.pk}/export.pdf").content[:4] == b"%PDF"


def test_cross_line_checks_name_each_line(request_as):
    me, other = factory.taxpayer(6), factory.outsider(6)
    request = request_as(me)
    factory.invoice(me, other, datetime(2026, 9, 3), [("1", "1000.00", "0.13")])
    factory.invoice(other, me, datetime(2026, 9, 2), [("1", "1000.00", "0.13")], confirmed=date(2026, 9, 20))
    ret = services.prefill_return(me.tax_id, "vat_general", "2026-09", on=ON)
    ret = _change(ret, request, line_4="2000.00", line_16="50.00", line_37="80.00", jz_line_4="1.00",
                  super_credit_excluded="10.00")
    errors, warnings = services.check(ret, on=ON)
    by = {e["field"]: e for e in errors}
    assert set(by) == {"line_4", "line_37", "jz_line_4", "line_38"}  # 38 = 16+22+36−37 falls below 0 too
    assert "第4栏" in by["line_4"]["message_zh"] and "line 1" in by["line_4"]["message_en"]
    assert "第16、22、36栏" in by["line_37"]["message_zh"] and "50.00" in by["line_37"]["message_zh"]
    assert "即征即退项目" in by["jz_line_4"]["message_zh"] and "immediate-refund" in by["jz_line_4"]["message_en"]
    assert [w["field"] for w in warnings] == ["super_credit_class"]
    with pytest.raises(ValidationFailure) as exc:
        services.file_return(ret, request=request, on=ON)
    assert exc.value.code == "check_failed"
    # A policy number the form does not know is refused by the law, in Chinese and English.
    ret = _change(ret, request, line_4="0.00", line_37="0.00", jz_line_4="0.00", super_credit_class="3")
    assert ret.warnings and ret.warnings[0]["field"] == "super_credit_class" and "0（不适用）" in ret.warnings[0][
        "message_zh"]


def test_small_scale_lines_5_to_14_and_their_checks(request_as):
    me, other = factory.taxpayer(7, vat_status="small_scale"), factory.outsider(7)
    request = request_as(me)
    special = factory.invoice(me, other, datetime(2026, 8, 3), [("3", "80000.00", "0.05")], kind="special")
    factory.invoice(me, other, datetime(2026, 8, 4), [("3", "20000.00", "0.05")], kind="ordinary")
    factory.invoice(me, other, datetime(2026, 9, 4), [("1", "250000.00", "0.01")], kind="ordinary")
    ret = services.prefill_return(me.tax_id, "vat_small_scale", "2026-Q3", on=ON)
    assert (ret.values["sales_5_special"], ret.values["sales_5"]) == ("80000.00", "20000.00")
    assert [i["invoice_no"] for i in present.trace(ret, "sales_5_special")["invoices"]] == [special.invoice_no]
    assert (ret.values["line_4"], ret.values["line_5"], ret.values["line_6"]) == ("100000.00", "80000.00", "20000.00")
    ret = _change(ret, request, used_assets="10000.00", used_assets_special="2000.00", line_12="500.00",
                  line_13="3000.00", line_14="1000.00")
    v = ret.values
    assert (v["line_7"], v["line_8"], v["line_9"], v["line_12"], v["line_13"]) == (
        "10000.00", "8000.00", "500.00", "500.00", "3000.00")
    # 250,000 × 3 % + 10,000 × 3 % on 15, reduced to 1 % on 16; 100,000 × 5 %
    assert (v["line_15"], v["line_16"], v["line_20"]) == ("12800.00", "5200.00", "7600.00")
    errors, _w = services.check(_change(ret, request, line_14="4000.00", used_assets_special="20000.00"), on=ON)
    assert {e["field"] for e in errors} == {"line_14", "used_assets_special", "line_8"}  # 8 = 7 − 7b < 0
    # Under the threshold the sales go to line 11 (2026: 未达起征点, 疑) and lines 2, 5, 8 are 0.
    small = factory.taxpayer(8, vat_status="small_scale")
    factory.invoice(small, other, datetime(2026, 9, 4), [("1", "200000.00", "0.01")], kind="special")
    factory.invoice(small, other, datetime(2026, 9, 5), [("3", "50000.00", "0.05")], kind="special")
    low = services.prefill_return(small.tax_id, "vat_small_scale", "2026-Q3", on=ON)
    assert (low.values["line_2"], low.values["line_5"], low.values["line_10"], low.values["line_11"],
            low.values["line_19"]) == ("0.00", "0.00", "0.00", "250000.00", "7500.00")
    assert json.dumps(present.return_data(low)["cells"], ensure_ascii=False)
