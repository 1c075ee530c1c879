"""Session policy: absolute session lifetime, staff second factor and password rotation.

The idle timeout is the session cookie's age, renewed on every request (settings). This
middleware ends sessions older than the absolute lifetime and, for staff roles, sends the user
to the TOTP step and to the password change page when those are due. API calls get JSON.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit

# Paths a signed-in user may reach before completing the second factor or a due password change.
_OPEN_PREFIXES = ("/static/", "/i18n/", "/accounts/", "/verify", "/favicon")


def _json_error(code: str, zh: str, en: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "message_zh": zh, "message_en": en, "errors": []}, status=status,
                        json_dumps_params={"ensure_ascii": False})


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            response = self._enforce(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _enforce(self, request, user):
        is_api = request.path.startswith("/api/")
        login_at = request.session.get("login_at")
        limit = settings.ZHISHUI_SESSION_ABSOLUTE_MINUTES * 60
        if login_at is None or timezone.now().timestamp() - login_at > limit:
            audit.record("auth.session_expired", request=request, actor=user, obj=user, outcome="denied")
            logout(request)
            if is_api:
                return _json_error("session_expired", "会话已过期，请重新登录", "session expired, sign in again", 401)
            messages.info(request, _("Your session has expired. Please sign in again."))
            return redirect(reverse("login") + f"?next={request.path}")
        if request.path.startswith(_OPEN_PREFIXES) or not user.is_staff_role:
            return None
        if settings.ZHISHUI_OTP_REQUIRED and not user.is_verified():
            if is_api:
                return _json_error("otp_required", "工作人员需先完成动态口令验证", "staff must complete the TOTP "
                                   "second factor", 403)
            return redirect(reverse("otp") + f"?next={request.path}")
        max_age = settings.ZHISHUI_PASSWORD_MAX_AGE_DAYS
        if max_age and timezone.now() - user.password_changed_at > timedelta(days=max_age):
            if is_api:
                return _json_error("password_expired", "密码已过期，请先修改密码", "password expired, change it "
                                   "first", 403)
            messages.warning(request, _("Your password has expired. Please choose a new one."))
            return redirect("password_change")
        return None
