"""In a real browser: a liaison reports progress with an evidence file, the office accepts it, and the
dashboard shows the item done."""

from __future__ import annotations

import pytest

from tests.browser import page, sign_in  # noqa: F401 - fixture
from tests.conftest import make_user
from tests.reform.conftest import TODAY, liaison_of, pdf_bytes
from zhishui.reform import clock, services
from zhishui.reform.models import Assignment, Report

pytestmark = pytest.mark.browser


def _figure(page, name: str) -> str:  # noqa: F811
    return page.locator(f'[data-figure="{name}"] .card-value').inner_text().strip()


def test_liaison_reports_office_accepts_dashboard_updates(page, live_server, tmp_path, settings):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    with clock.frozen(TODAY):
        services.load_plan_into_db("610303")
        plan = services.current_plan()
        liaison = liaison_of(plan, "tax", "tax_liaison")
        office = make_user("office_b", "taskforce")
        item = Assignment.objects.get(deliverable__task__number=27)
        evidence = tmp_path / "关于印发绩效考评办法的通知.pdf"
        evidence.write_bytes(pdf_bytes("绩效考评办法"))

        sign_in(page, live_server, liaison)
        page.goto(f"{live_server.url}/reform/")
        assert _figure(page, "completion") == "0%"
        assert int(_figure(page, "overdue")) == Assignment.objects.filter(unit__code="tax").count()
        page.goto(f"{live_server.url}/reform/items/{item.pk}/")
        form = page.get_by_test_id("report-form")
        form.get_by_label("状态").select_option("done")
        form.get_by_label("进展情况").fill("《个人绩效考评办法》已印发执行，考评结果已运用。")
        form.get_by_label("佐证材料").set_input_files(str(evidence))
        with page.expect_navigation():
            form.get_by_role("button", name="提交报告").click()
        assert "报告已提交工作专班办公室审核" in page.locator(".messages").inner_text()
        assert "待审核" in page.get_by_test_id("item-status").inner_text()
        assert page.get_by_role("link", name="关于印发绩效考评办法的通知.pdf").is_visible()

        with page.expect_navigation():
            page.get_by_role("button", name="退出").click()
        sign_in(page, live_server, office)
        page.goto(f"{live_server.url}/reform/review/")
        assert "区税务局" in page.locator("article").first.inner_text()
        with page.expect_navigation():
            page.get_by_role("button", name="审核通过").first.click()
        assert "报告已审核通过" in page.locator(".messages").inner_text()
        assert "没有待审核的报告" in page.locator("main").inner_text()

        page.goto(f"{live_server.url}/reform/")
        everything = Assignment.objects.count()
        assert int(_figure(page, "overdue")) == everything - 1  # every 2021–2025 item was late; one is now done
        assert _figure(page, "deliverables").startswith("1 /") and _figure(page, "completion") != "0%"
        assert page.evaluate("document.documentElement.getAttribute('data-charts')") == "4"
        assert Report.objects.get(assignment=item).review == "accepted"
        assert Assignment.objects.get(pk=item.pk).status == "done"
