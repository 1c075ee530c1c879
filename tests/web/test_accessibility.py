"""Accessibility checks that can fail: labelled form fields and WCAG 2.1 AA colour contrast."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import login, make_user

CSS = Path(__file__).resolve().parents[2] / "src" / "zhishui" / "web" / "static" / "web" / "shell.css"


class _Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.labels_for, self.fields, self.label_depth = set(), [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.labels_for.add(a["for"])
        elif tag in {"input", "select", "textarea"}:
            if a.get("type") in {"hidden", "submit", "button"}:
                return
            self.fields.append((a.get("name"), a.get("id"), bool(a.get("aria-label")), self.label_depth > 0))

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1


def _unlabelled(html: str) -> list:
    parser = _Fields()
    parser.feed(html)
    return [name for name, id_, aria, wrapped in parser.fields
            if not (aria or wrapped or (id_ and id_ in parser.labels_for))]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "paths"), [
    ("sysadmin", ["/admin/users/", "/admin/users/new/", "/accounts/password/"]),
    ("auditor", ["/audit/"]),
    ("collection", ["/law/parameters/", "/law/calc/vat_small_scale/", "/law/calc/iit_annual/",
                    "/law/calc/stamp/"]),
])
def test_every_form_field_has_a_label(client, role, paths):
    assert _unlabelled(client.get("/accounts/login/").content.decode()) == []
    login(client, make_user(f"a11y_{role}", role))
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert _unlabelled(response.content.decode()) == [], path


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# (text colour, background) pairs the stylesheet actually uses for text.
PAIRS = [("--ink", "--bg"), ("--ink", "--card"), ("--muted", "--bg"), ("--muted", "--card"),
         ("--brand-ink", "--brand"), ("--brand", "--card"), ("--link", "--card"), ("--link", "--bg"),
         ("--ok", "--card"), ("--err", "--card"), ("--warn", "--card")]


def test_colour_pairs_meet_wcag_aa():
    variables = dict(re.findall(r"(--[a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))
    failing = [(fg, bg, round(_contrast(variables[fg], variables[bg]), 2)) for fg, bg in PAIRS
               if _contrast(variables[fg], variables[bg]) < 4.5]
    assert failing == []
