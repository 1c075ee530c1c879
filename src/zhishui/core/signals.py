"""Audit receivers for authentication: every login, logout, failure and lockout is an event."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from . import audit


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session["login_at"] = timezone.now().timestamp()
    audit.record("auth.login", request=request, actor=user, obj=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record("auth.logout", request=request, actor=user, obj=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    audit.record("auth.login_failed", request=request, username=str(credentials.get("username", ""))[:150],
                 outcome="failure")


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    audit.record("auth.locked_out", request=request, username=str(username or "")[:150], outcome="denied",
                 detail={"ip_address": ip_address})
