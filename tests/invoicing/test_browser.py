"""In the browser: a seller issues an invoice (live totals, rate chosen by the goods code), the buyer
confirms it for deduction in the tax digital account, a member of the public verifies it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser import page, sign_in  # noqa: F401 - fixture
from tests.conftest import make_user
from tests.invoicing.helpers import BUYER, SELLER, SOFTWARE, STEEL
from zhishui.invoicing.models import Invoice, InvoiceState

pytestmark = pytest.mark.browser


def test_issue_confirm_and_verify_in_the_browser(page, live_server):  # noqa: F811
    seller = make_user("web_seller", "taxpayer", taxpayer_id=SELLER)
    buyer = make_user("web_buyer", "taxpayer", taxpayer_id=BUYER)

    # The seller issues a two-line special invoice.
    sign_in(page, live_server, seller)
    page.goto(f"{live_server.url}/invoicing/issue/")
    page.get_by_label("购买方纳税人识别号").fill(BUYER)
    page.get_by_label("购买方名称").fill("宝鸡渭滨商贸有限公司")
    rows = page.locator("#lines tbody tr.line")
    rows.nth(0).locator("input.code").fill(SOFTWARE)
    rows.nth(0).locator("input[name=line_name]").fill("软件开发服务")
    rows.nth(0).locator("input.qty").fill("2")
    rows.nth(0).locator("input.price").fill("500")
    assert rows.nth(0).locator("select.rate option").all_inner_texts() == ["6%"]
    page.get_by_role("button", name="增加一行").click()
    rows.nth(1).locator("input.code").fill(STEEL)
    rows.nth(1).locator("input[name=line_name]").fill("螺纹钢")
    rows.nth(1).locator("input.amount").fill("1000.00")
    assert "13%" in rows.nth(1).locator("select.rate option").all_inner_texts()
    page.get_by_test_id("live-total").wait_for()
    assert page.get_by_test_id("live-total").inner_text() == "2,190.00"
    page.get_by_test_id("issue-submit").click()
    page.wait_for_url("**/invoicing/invoices/*/")
    number = page.get_by_test_id("invoice-number").inner_text()
    invoice = Invoice.objects.get(number=number)
    assert invoice.total == 2190 and invoice.line_count == 2 and invoice.channel == "web"
    page.get_by_role("button", name="退出").click()

    # The buyer finds it in the tax digital account and confirms it for deduction.
    sign_in(page, live_server, buyer)
    page.goto(f"{live_server.url}/invoicing/inbox/")
    page.get_by_test_id(f"confirm-{number}").click()
    page.wait_for_url("**/invoicing/inbox/")
    assert InvoiceState.objects.get(pk=number).usage == "deduct"
    page.get_by_role("button", name="退出").click()

    # A member of the public verifies it without signing in.
    page.goto(f"{live_server.url}/verify/")
    form = page.get_by_test_id("verify-number")
    form.get_by_label("发票号码（20位）").fill(number)
    form.get_by_label("开票日期").fill(timezone.localtime(invoice.issued_at).date().isoformat())
    form.get_by_label("价税合计").fill("2190.00")
    form.get_by_role("button", name="查验").click()
    page.get_by_test_id("verify-result").wait_for()
    assert page.get_by_test_id("outcome").inner_text() == "一致（真票）"
    assert page.locator('[data-check="signature"] .badge.ok').count() == 1
    assert "宝鸡渭滨商贸有限公司" in page.get_by_test_id("verify-result").inner_text()
