"""The plan loaded into the database matches the reviewed plan file; loading is idempotent, and a changed
plan file updates texts without losing reports."""

from __future__ import annotations

import shutil
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from tests.reform.conftest import liaison_of, pdf_bytes, upload
from zhishui.reform import services
from zhishui.reform.models import Area, Assignment, Deliverable, Report, Task, TaskUnit, Unit
from zhishui.reform.plan import PLANS_DIR, load_plan

pytestmark = pytest.mark.django_db


def test_the_database_holds_the_plan_exactly(plan):
    source = load_plan("610303")
    assert Area.objects.filter(plan=plan).count() == 6
    assert list(Unit.objects.filter(plan=plan).values_list("short", flat=True)) == [u.short for u in source.units]
    assert Unit.objects.filter(plan=plan, member=True).count() == 20
    tasks = {t.number: t for t in Task.objects.filter(plan=plan)}
    assert sorted(tasks) == list(range(1, 28))
    for t in source.tasks:
        task = tasks[t.number]
        assert (task.title, task.text, task.area.number, task.all_members) == (t.title, t.text, t.area.number,
                                                                              t.all_members)
        lead = set(TaskUnit.objects.filter(task=task, role="lead").values_list("unit__code", flat=True))
        responsible = set(TaskUnit.objects.filter(task=task, role="responsible").values_list("unit__code", flat=True))
        assert lead == {u.code for u in t.lead_units} and responsible == {u.code for u in t.responsible_units}
        deliverables = list(Deliverable.objects.filter(task=task).order_by("key"))
        assert [(d.due_on, d.text, d.implied) for d in deliverables] == [(m.due, m.text, m.implied)
                                                                         for m in t.milestones]
        for d, m in zip(deliverables, t.milestones, strict=True):
            clause = t.clauses[m.clause - 1] if m.clause else None
            expected = {u.code for u in (clause.units if clause and clause.units else t.units)}
            assert set(d.assignments.values_list("unit__code", flat=True)) == expected, (t.number, m.text)
    assert Deliverable.objects.filter(plan=plan).count() == len(source.milestones())


def test_milestones_keep_the_plan_dates_and_units():
    # Read off the document: task 14's 2021 deadline is the social-insurance switch of 区税务局、区人社局、区医保局;
    # task 15's export-refund targets are 区税务局's alone; task 21 (no date) is due at the horizon.
    services.load_plan_into_db("610303")
    t14 = Deliverable.objects.filter(task__number=14).order_by("due_on").first()
    assert str(t14.due_on) == "2021-12-31"
    assert set(t14.assignments.values_list("unit__short", flat=True)) == {"区税务局", "区人社局", "区医保局"}
    t21 = Deliverable.objects.get(task__number=21)
    assert t21.implied and str(t21.due_on) == "2025-12-31" and t21.assignments.count() == 7
    assert set(Deliverable.objects.filter(task__number=15).values_list("due_on__year", flat=True)) == {2021, 2022}


def test_loading_twice_changes_nothing(plan):
    before = (Task.objects.count(), Deliverable.objects.count(), Assignment.objects.count())
    result = services.load_plan_into_db("610303")
    assert not result.changed and result.kept == []
    assert (Task.objects.count(), Deliverable.objects.count(), Assignment.objects.count()) == before
    out = StringIO()
    call_command("reform", "load-plan", stdout=out)
    assert "无变化" in out.getvalue()


def test_a_changed_plan_updates_text_and_keeps_reports(plan, tmp_path, today):
    liaison = liaison_of(plan, "tax")
    item = Assignment.objects.get(deliverable__task__number=5, unit__code="tax")
    services.submit_report(by=liaison, assignment=item, status="done", narrative="已完成",
                           files=[upload("文件.pdf", pdf_bytes())])
    data = yaml.safe_load((PLANS_DIR / "610303.yaml").read_text(encoding="utf-8"))
    task5 = next(t for t in data["tasks"] if t["number"] == 5)
    task5["title"] = "严格税收管理权限（修订）"
    task5["milestones"][0]["text"] = "严格税收管理权限（修订）"
    (tmp_path / "610303.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = services.load_plan_into_db("610303", plans_dir=tmp_path)
    assert result.updated == {"plan": 1, "tasks": 1, "deliverables": 1}
    assert Task.objects.get(number=5).title == "严格税收管理权限（修订）"
    assert Report.objects.filter(assignment=item).count() == 1
    assert Assignment.objects.get(pk=item.pk).deliverable.text == "严格税收管理权限（修订）"


def test_a_dropped_task_with_reports_is_kept(plan, tmp_path, today):
    liaison = liaison_of(plan, "tax")
    item = Assignment.objects.get(deliverable__task__number=27)
    services.submit_report(by=liaison, assignment=item, status="in_progress", narrative="推进中")
    shutil.copy(PLANS_DIR / "610303.yaml", tmp_path / "610303.yaml")
    data = yaml.safe_load((tmp_path / "610303.yaml").read_text(encoding="utf-8"))
    data["tasks"] = [t for t in data["tasks"] if t["number"] != 27]
    data["expected_task_count"] = 26
    (tmp_path / "610303.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = services.load_plan_into_db("610303", plans_dir=tmp_path)
    assert result.kept == ["task 27"]
    assert Task.objects.filter(number=27).exists() and Report.objects.filter(assignment=item).exists()


def test_an_unknown_district_is_a_clear_error(capsys):
    from zhishui.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["zhishui", "reform", "load-plan", "--district", "999999"])
    assert exc.value.code == 2
    assert "未找到行政区划代码 999999" in capsys.readouterr().err
