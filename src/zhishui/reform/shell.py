"""The reform module's entries in the web shell: navigation and home-page figures by role."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhishui.web.nav import NavItem, Widget, register_nav, register_widget


def _plan():
    from django.conf import settings

    from .models import ReformPlan
    from .services import DEFAULT_DISTRICT

    return ReformPlan.objects.filter(district_code=getattr(settings, "ZHISHUI_DISTRICT", DEFAULT_DISTRICT)).first()


def _overdue(request):
    from . import clock, progress

    plan = _plan()
    return "—" if plan is None else progress.overdue_count(plan, clock.today(), request.user)


def _pending(request):
    from .models import Report

    plan = _plan()
    return "—" if plan is None else Report.objects.filter(assignment__deliverable__plan=plan,
                                                        review=Report.Review.PENDING).count()


def _my_open(request):
    from . import progress

    plan = _plan()
    return "—" if plan is None else progress.open_items(plan, request.user)


def _unread(request):
    from .models import Notification

    return Notification.objects.filter(user=request.user, read_at__isnull=True).count()


def register() -> None:
    register_nav(NavItem("reform_dashboard", _("Reform progress"), "reform:dashboard", ("view_reform",), order=500))
    register_nav(NavItem("reform_tasks", _("Reform tasks"), "reform:tasks", ("view_reform",), order=510))
    register_nav(NavItem("reform_supervision", _("Supervision"), "reform:supervision", ("manage_reform",), order=520))
    register_nav(NavItem("reform_review", _("Reports to review"), "reform:review", ("manage_reform",), order=525))
    register_nav(NavItem("reform_meetings", _("Task-force meetings"), "reform:meetings", ("view_reform",), order=530))
    register_nav(NavItem("reform_research", _("Field research"), "reform:research", ("view_reform",), order=540))
    register_nav(NavItem("reform_inbox", _("Reminders"), "reform:inbox", ("report_reform", "manage_reform"),
                         order=550))
    register_widget(Widget("reform_overdue", _("Overdue reform items"), ("view_reform",), _overdue,
                           "reform:dashboard", order=300))
    register_widget(Widget("reform_pending", _("Reform reports awaiting review"), ("manage_reform",), _pending,
                           "reform:review", order=310))
    register_widget(Widget("reform_my_open", _("My unit's open reform items"), ("report_reform",), _my_open,
                           "reform:tasks", order=320))
    register_widget(Widget("reform_unread", _("Unread reform reminders"), ("report_reform", "manage_reform"), _unread,
                           "reform:inbox", order=330))
