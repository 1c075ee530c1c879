"""The dashboard, home widgets, the report to the district government (PDF and Excel), the CJK font
helper and the demo history — on the demo data, with query budgets."""

from __future__ import annotations

import io
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.conftest import login, make_user
from tests.reform.conftest import TODAY, pdf_title
from zhishui.core import pdf as core_pdf
from zhishui.reform import clock, demo, progress, services
from zhishui.reform.models import Assignment, Bulletin, Liaison, Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_data(db, today):
    demo.seed()
    for code in ("liaison", "taskforce", "leader"):
        make_user(f"demo_{code}", code)
    assert demo.bind_demo_liaison() == "区财政局"
    return services.current_plan()


def test_demo_history_is_plausible(demo_data):
    data = progress.overview(demo_data, TODAY)
    counts = data["totals"].counts
    assert counts["done"] > counts["overdue"] > 0 and data["pending_reviews"] > 0
    assert [(h["year"], h["half"]) for h in data["research_missing"]] == [(2024, 2)]
    assert data["open_notices"] >= 1 and data["task_count"] == 28
    assert Liaison.objects.get(user__username="demo_liaison", until__isnull=True).unit.code == "finance"
    assert any(r["days_left"] <= 30 for r in data["upcoming"])
    again = demo.seed()
    assert again == {} and Report.objects.count() == Report.objects.count()


def test_dashboard_within_query_budget_and_passes_chart_data(client, demo_data, django_assert_max_num_queries):
    user = make_user("boss", "leader")
    login(client, user)
    with django_assert_max_num_queries(30):
        response = client.get("/reform/")
    page = response.content.decode()
    charts = json.loads(re.search(r'<script id="reform-charts" type="application/json">(.*?)</script>', page,
                                  re.S).group(1))
    assert len(charts["area"]) == 7 and {r["label"] for r in charts["unit"]} >= {"区税务局", "区财政局"}
    assert sum(r["total"] for r in charts["year"]) == Assignment.objects.count()
    assert 'data-testid="research-gap"' in page and "2024年下半年" in page
    assert "vendor/echarts-5.6.0.min.js" in page


def test_task_list_within_query_budget(client, demo_data, django_assert_max_num_queries):
    login(client, make_user("boss2", "leader"))
    with django_assert_max_num_queries(25):
        page = client.get("/reform/tasks/").content.decode()
    assert page.count("data-task=") == 28
    with django_assert_max_num_queries(25):
        page = client.get("/reform/tasks/?status=overdue").content.decode()
    assert 0 < page.count("data-task=") < 28


def test_home_widgets_by_role(client, demo_data):
    login(client, make_user("office9", "taskforce"))
    page = client.get("/").content.decode()
    assert 'data-widget="reform_pending"' in page and 'data-widget="reform_overdue"' in page
    assert 'data-widget="reform_my_open"' not in page


def test_report_to_the_district_government_xlsx(demo_data):
    bulletin, body, filename = services.issue_bulletin(fmt="xlsx")
    assert bulletin.number == "金台区税改专班〔2026〕1号" and filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(body))
    assert wb.sheetnames == ["汇总", "分领域", "分单位", "分年度", "事项明细", "逾期事项"]
    summary = [c.value for c in wb["汇总"]["A"] if c.value]
    assert summary[0] == "金台区进一步深化税收征管改革工作专班办公室" and summary[1] == bulletin.number
    assert summary[2] == "关于金台区进一步深化税收征管改革工作进展情况的报告"
    assert summary[3] == "区委、区政府：" and "一、各领域进展情况" in summary and "三、下一步工作" in summary
    data = progress.overview(demo_data, TODAY)
    assert f"已完成{data['totals'].counts['done']}项" in summary[4]
    overdue = list(wb["逾期事项"].iter_rows(min_row=2, values_only=True))
    assert len(overdue) == data["totals"].counts["overdue"]
    detail = list(wb["事项明细"].iter_rows(min_row=2, values_only=True))
    assert len(detail) == Assignment.objects.count()
    units = {r[0]: r for r in wb["分单位"].iter_rows(min_row=2, values_only=True)}
    assert units["区税务局"][6] == sum(1 for r in detail if r[3] == "区税务局")
    second, _b, _f = services.issue_bulletin(fmt="pdf")
    assert second.number == "金台区税改专班〔2026〕2号" and Bulletin.objects.count() == 2


def test_report_pdf_and_the_command(demo_data, tmp_path):
    _bulletin, body, _name = services.issue_bulletin(fmt="pdf")
    assert body.startswith(b"%PDF-") and pdf_title(body) == "关于金台区进一步深化税收征管改革工作进展情况的报告"
    assert body.count(b"/Type /Page\n") + body.count(b"/Type /Page ") >= 1
    out = tmp_path / "report.xlsx"
    stdout = StringIO()
    call_command("reform", "export", "--format", "xlsx", "--output", str(out), stdout=stdout)
    assert "金台区税改专班〔2026〕2号" in stdout.getvalue() and load_workbook(out).sheetnames[0] == "汇总"


def test_export_page_for_the_office(client, demo_data):
    login(client, make_user("office8", "taskforce"))
    page = client.get("/reform/export/").content.decode()
    assert "关于金台区进一步深化税收征管改革工作进展情况的报告" in page and "下一步工作" in page
    response = client.post("/reform/export/", {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and "attachment" in response["Content-Disposition"]


def test_cjk_font_is_found_or_fails_clearly(monkeypatch):
    assert core_pdf.find_cjk_font().is_file()
    assert core_pdf.cjk_font() == core_pdf.FONT_NAME
    monkeypatch.setattr(core_pdf, "CANDIDATES", (core_pdf.Path("/nonexistent/font.ttc"),))
    with pytest.raises(core_pdf.FontMissing) as exc:
        core_pdf.find_cjk_font()
    assert "fonts-wqy-microhei" in str(exc.value) and "/nonexistent/font.ttc" in str(exc.value)


def test_clock_freezes_and_restores():
    real = clock.today()
    with clock.frozen(TODAY.replace(year=2030)):
        assert clock.today().year == 2030
    assert clock.today() == real
