"""Sign-in, second factor (TOTP), password change and the lockout page."""

from __future__ import annotations

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit, services
from .errors import ValidationFailure


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


def lockout_response(request, credentials, *args, **kwargs):
    audit_minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "core/locked.html", {"minutes": audit_minutes}, status=429)


class OtpForm(forms.Form):
    token = forms.CharField(label=gettext_lazy("Dynamic code"), min_length=6, max_length=6,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "pattern": "[0-9]{6}", "autofocus": True}))


def _safe_next(request) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return nxt
    return "/"


@login_required
def otp_view(request):
    """Confirm a TOTP device on first use (enrolment), then verify a code on every sign-in."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="default", confirmed=False)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit.record("auth.otp_enrolled", request=request, obj=user)
            otp_login(request, device)
            audit.record("auth.otp_verified", request=request, obj=user)
            return redirect(_safe_next(request))
        audit.record("auth.otp_failed", request=request, obj=user, outcome="failure")
        form.add_error("token", _("The code is not correct or has expired."))
    context = {"form": form, "enrolling": enrolling, "next": _safe_next(request)}
    if enrolling:
        uri = device.config_url
        context["qr_svg"] = segno.make(uri, error="m").svg_inline(scale=4, dark="#111", light="#fff")
        context["secret"] = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "core/otp.html", context)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=gettext_lazy("Current password"), widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label=gettext_lazy("New password"), widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=gettext_lazy("Repeat the new password"), widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))


@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not request.user.check_password(data["old_password"]):
            form.add_error("old_password", _("The current password is not correct."))
        elif data["new_password"] != data["new_password2"]:
            form.add_error("new_password2", _("The two new passwords differ."))
        else:
            try:
                services.change_password(user=request.user, request=request, new_password=data["new_password"])
            except ValidationFailure as exc:
                for err in exc.errors:
                    form.add_error("new_password", err.message_zh if request.LANGUAGE_CODE.startswith("zh")
                                   else err.message_en)
            else:
                update_session_auth_hash(request, request.user)
                messages.success(request, _("Your password has been changed."))
                return redirect("home")
    return render(request, "core/password_change.html", {"form": form})
