"""Template filters of the reform pages: the state of an item as a label and a badge class."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

LABELS = {
    "done": _("done"),
    "in_progress": _("in progress"),
    "at_risk": _("at risk"),
    "not_started": _("not started"),
    "overdue": _("overdue"),
    "pending": _("awaiting review"),
    "accepted": _("accepted"),
    "returned": _("returned"),
    "lead": _("lead"),
    "responsible": _("responsible"),
}
CLASSES = {"done": "ok", "accepted": "ok", "overdue": "err", "returned": "err", "at_risk": "warn", "pending": "warn"}


@register.filter
def state_label(code: str) -> str:
    return str(LABELS.get(code, code))


@register.filter
def state_class(code: str) -> str:
    return CLASSES.get(code, "")


@register.filter
def half_label(h: dict) -> str:
    label = _("%(year)s first half") if h["half"] == 1 else _("%(year)s second half")
    return str(label) % {"year": h["year"]}
