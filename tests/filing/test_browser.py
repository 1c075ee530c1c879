"""Playwright: a taxpayer opens the proposal, follows a trace, adjusts a cell, files, sees the history."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.browser import page, sign_in  # noqa: F401 - the fixture
from tests.conftest import make_user
from tests.filing import factory
from zhishui.filing import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_taxpayer_reviews_traces_adjusts_and_files(page, live_server):  # noqa: F811 - the fixture
    me, other = factory.taxpayer(1), factory.outsider(1)
    blue = factory.invoice(me, other, datetime(2026, 10, 3, 9), [("1", "100000.00", "0.13")])
    factory.invoice(other, me, datetime(2026, 10, 2, 9), [("1", "20000.00", "0.13")], confirmed=date(2026, 10, 20))
    services.batch_prefill("2026-10", on=date(2026, 11, 8))
    user = make_user("tp", "taxpayer", taxpayer_id=me.tax_id)
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/filing/")
    page.get_by_role("link", name="打开预填申报表").first.click()
    page.get_by_test_id("cell-sales_13_goods").click()
    trace = page.get_by_test_id("trace")
    trace.get_by_role("link", name=blue.invoice_no).wait_for()
    assert "100000.00" in trace.inner_text()
    page.get_by_test_id("cell-line_11").click()
    page.get_by_test_id("trace-calc").wait_for()
    assert "vat.rate_standard" in page.get_by_test_id("trace").inner_text()
    # The official layout: the 即征即退 column, 本年累计, and every figure clickable to its trace.
    assert page.get_by_test_id("ytd-line_11").inner_text() == page.get_by_test_id("cell-line_11").inner_text()
    page.get_by_test_id("cell-jz_line_19").click()
    page.get_by_test_id("trace").filter(has_text="即征即退项目").wait_for()
    page.get_by_test_id("cell-line_25").click()
    page.get_by_test_id("trace").filter(has_text="平台上无上期申报表").wait_for()
    page.get_by_test_id("cell-sales_13_goods").click()
    page.get_by_test_id("trace").get_by_role("link", name=blue.invoice_no).click()
    page.wait_for_url("**/filing/invoices/imported/**")
    assert blue.invoice_no in page.content()
    page.go_back()
    row = page.locator('tr[data-cell="sales_6"]')
    row.locator("summary").click()
    row.get_by_label("新值").fill("5000.00")
    row.get_by_label("理由（可选）").fill("未开票的咨询收入")
    row.get_by_test_id("save-sales_6").click()
    page.get_by_test_id("changes").wait_for()
    assert "未开票的咨询收入" in page.get_by_test_id("changes").inner_text()
    page.get_by_test_id("file").click()
    page.get_by_test_id("status").filter(has_text="已申报").wait_for()
    page.goto(f"{live_server.url}/filing/")
    history = page.get_by_test_id("history").inner_text()
    assert "2026-10" in history and "已申报" in history
