"""In a browser: a collection officer uploads a department delivery through 数据交换, then opens the 一户式
of a taxpayer from the header search, sees the invoicing chart and unmasks the legal representative's
number after giving a reason."""

from __future__ import annotations

import pytest

from tests.browser import page, sign_in  # noqa: F401 - the page fixture
from tests.conftest import make_user
from tests.registry import feedkit

pytestmark = [pytest.mark.browser]


def test_upload_a_delivery_and_open_the_resulting_profile(page, live_server, tmp_path):  # noqa: F811
    feeds = feedkit.write_all(tmp_path / "delivery")
    user = make_user("caiji", "collection")
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/registry/exchange/upload/")
    page.get_by_label("数据文件（CSV、XLSX、Parquet、manifest.json，或它们的zip压缩包）").set_input_files(
        sorted(str(p) for p in feeds.iterdir())
    )
    page.get_by_label("提供部门").fill("区市场监管局")
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url("**/registry/exchange/batches/**")
    assert "数据文件已导入" in page.content()
    rows = page.locator("tr[data-feed]")
    assert rows.count() == 12
    assert page.locator("tr[data-feed='invoices'] .badge.ok").count() == 1

    page.get_by_role("searchbox").fill(feedkit.ACME)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/registry/taxpayers/{feedkit.ACME}/")
    assert page.get_by_role("heading", level=1).inner_text() == "一户式：宝鸡市金台区艾克米机械有限公司"
    page.locator("#invoice-chart canvas").first.wait_for()
    masked = feedkit.ZHANG[:6] + "********" + feedkit.ZHANG[-4:]
    assert page.get_by_test_id("legal-rep-id").inner_text() == masked

    page.get_by_text("显示完整身份证号和手机号").click()
    page.get_by_label("查看理由（将记入审计日志）").fill("核对法定代表人身份")
    page.get_by_role("button", name="显示", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_test_id("legal-rep-id").inner_text() == feedkit.ZHANG
