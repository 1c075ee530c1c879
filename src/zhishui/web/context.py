"""Template context for the shell: the district, the user's roles and navigation."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from zhishui.core.roles import label_for

from .nav import nav_for


@lru_cache(maxsize=8)
def _district(code: str) -> dict:
    from zhishui.core.regions import resolve

    region = resolve(code)
    return {"code": code, "name": region.name, "full_name": region.full_name}


def shell(request) -> dict:
    context = {"district": _district(settings.ZHISHUI_DISTRICT)}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        lang = getattr(request, "LANGUAGE_CODE", "zh-hans")
        # Before the second factor a staff member sees no workbench: the links would only bounce back.
        pending_otp = settings.ZHISHUI_OTP_REQUIRED and user.is_staff_role and not user.is_verified()
        context["nav"] = [] if pending_otp else nav_for(user)
        context["user_roles"] = [label_for(c, lang) for c in user.role_codes]
    return context
