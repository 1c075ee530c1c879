"""Core's entries in the web shell: navigation and home-page figures for the administrators."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhishui.web.nav import NavItem, Widget, register_nav, register_widget


def _since(hours: int):
    return timezone.now() - timedelta(hours=hours)


def _active_users(request):
    from .models import User

    return User.objects.filter(is_active=True).count()


def _locked_accounts(request):
    from axes.models import AccessAttempt
    from django.conf import settings

    return AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).count()


def _failed_logins(request):
    from .models import AuditEvent

    return AuditEvent.objects.filter(action="auth.login_failed", at__gte=_since(24)).count()


def _events_today(request):
    from .models import AuditEvent

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return AuditEvent.objects.filter(at__gte=start).count()


def _denials(request):
    from .models import AuditEvent

    return AuditEvent.objects.filter(outcome="denied", at__gte=_since(24)).count()


def register() -> None:
    register_nav(NavItem("users", _("User accounts"), "users", ("manage_users", "manage_roles"), order=900))
    register_nav(NavItem("audit", _("Audit trail"), "audit", ("view_audit",), order=910))
    register_widget(Widget("active_users", _("Active accounts"), ("manage_users",), _active_users, "users"))
    register_widget(Widget("locked_accounts", _("Locked accounts"), ("manage_roles",), _locked_accounts, "users"))
    register_widget(Widget("failed_logins", _("Failed sign-ins (24 h)"), ("manage_roles", "view_audit"),
                           _failed_logins, "audit"))
    register_widget(Widget("audit_today", _("Audit events today"), ("view_audit",), _events_today, "audit"))
    register_widget(Widget("denials", _("Access denials (24 h)"), ("view_audit",), _denials, "audit"))
