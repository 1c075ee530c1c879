from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def number(value) -> str:
    """A decimal without trailing zeros (quantities, areas, kWh)."""
    if value is None or value == "":
        return "—"
    from ..validate import canonical_decimal_text

    return canonical_decimal_text(Decimal(value))


@register.filter
def percent(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value) * 100:.2f}%"


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
