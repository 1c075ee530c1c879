"""Navigation and home-page widgets, registered by each app in its ``AppConfig.ready``.

The shell shows a link or a widget only to users holding its capability, so each role sees
its own workbench. Widgets compute real figures from the database when the page renders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # a lazy translation
    url_name: str
    capabilities: tuple[str, ...]
    order: int = 100


@dataclass(frozen=True)
class Widget:
    key: str
    label: str
    capabilities: tuple[str, ...]
    compute: Callable  # (request) -> value shown (a number or short text)
    url_name: str = ""
    order: int = 100


NAV: dict[str, NavItem] = {}
WIDGETS: dict[str, Widget] = {}


def register_nav(item: NavItem) -> None:
    NAV[item.key] = item


def register_widget(widget: Widget) -> None:
    WIDGETS[widget.key] = widget


def _allowed(user, capabilities: tuple[str, ...]) -> bool:
    return any(user.has_perm(f"core.{c}") for c in capabilities)


def nav_for(user) -> list[dict]:
    items = []
    for item in sorted(NAV.values(), key=lambda i: (i.order, i.key)):
        if not _allowed(user, item.capabilities):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"key": item.key, "label": item.label, "url": url})
    return items


def widgets_for(request) -> list[dict]:
    out = []
    for w in sorted(WIDGETS.values(), key=lambda i: (i.order, i.key)):
        if _allowed(request.user, w.capabilities):
            out.append({"key": w.key, "label": w.label, "value": w.compute(request),
                        "url": reverse(w.url_name) if w.url_name else ""})
    return out
