"""Template filters shared by every app: role names, money, 大写 amounts."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language

from zhishui.core.money import format_money, to_capital
from zhishui.core.roles import ROLES, label_for

register = template.Library()


@register.filter
def role_label(code: str) -> str:
    return label_for(code, get_language() or "zh-hans") if code in ROLES else code


@register.filter
def money(value) -> str:
    """12,345.60 for an amount; an em dash for none."""
    if value is None or value == "":
        return "—"
    return format_money(Decimal(value))


@register.filter
def capital(value) -> str:
    return to_capital(Decimal(value))


@register.filter
def role_labels(codes: str) -> str:
    """A comma-separated list of role codes (as stored on audit events) in the user's language."""
    return "、".join(role_label(c) for c in codes.split(",") if c)
