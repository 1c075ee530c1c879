"""Shell pages: the role home page and the "about" page with the work plan's coverage."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .coverage import task_coverage
from .nav import widgets_for


@login_required
def home(request):
    return render(request, "web/home.html", {"widgets": widgets_for(request)})


def about(request):
    plan, rows = task_coverage(apps.get_app_configs())
    covered = sum(1 for r in rows if r["modules"])
    return render(request, "web/about.html", {"plan": plan, "rows": rows, "covered": covered})
