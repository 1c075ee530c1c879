"""Which of the work plan's 27 tasks this installation covers, and through which modules.

Each app that implements part of a task declares it in its AppConfig as
``reform_tasks = {task_number: "what it does"}``; a task is covered when an installed app
declares it. Nothing here is hard-coded per task.
"""

from __future__ import annotations

from django.conf import settings


def task_coverage(app_configs) -> tuple[object, list[dict]]:
    from zhishui.reform.plan import load_plan  # the plan file belongs to the reform module

    plan = load_plan(settings.ZHISHUI_DISTRICT)
    declared: dict[int, list[tuple[str, str]]] = {}
    for config in app_configs:
        for number, what in getattr(config, "reform_tasks", {}).items():
            declared.setdefault(int(number), []).append((str(config.verbose_name), str(what)))
    rows = [{"task": task, "modules": declared.get(task.number, [])} for task in plan.tasks]
    return plan, rows
