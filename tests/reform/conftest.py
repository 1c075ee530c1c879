"""Fixtures of the reform tests: the Jintai plan loaded, the office, leaders, liaisons bound to units,
evidence files of each kind, and evidence stored in a temporary MEDIA_ROOT."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import make_user
from zhishui.reform import clock, services
from zhishui.reform.models import Unit

TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def plan(db):
    services.load_plan_into_db("610303")
    return services.current_plan("610303")


@pytest.fixture
def today():
    with clock.frozen(TODAY):
        yield TODAY


def unit(plan, code: str) -> Unit:
    return Unit.objects.get(plan=plan, code=code)


def liaison_of(plan, code: str, username: str | None = None, email: str = ""):
    user = make_user(username or f"liaison_{code}", "liaison")
    if email:
        user.email = email
        user.save(update_fields=["email"])
    services.bind_liaison(unit=unit(plan, code), user=user, since=date(2022, 1, 1))
    return user


@pytest.fixture
def office(db):
    user = make_user("office", "taskforce")
    user.email = "office@example.org"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def leader(db):
    return make_user("leader", "leader")


def pdf_bytes(text: str = "evidence") -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% " + text.encode() + b"\ntrailer<<>>\n%%EOF\n")


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def pdf_title(data: bytes) -> str:
    """The /Title of a PDF's info dictionary, decoded (ReportLab writes it as an escaped UTF-16 string)."""
    import re

    match = re.search(rb"/Title \((.*?)(?<!\\)\)", data, re.S)
    assert match, "no /Title in the PDF"
    raw, out, i = match.group(1), bytearray(), 0
    while i < len(raw):
        ch = raw[i]
        if ch == 0x5C:  # backslash
            nxt = raw[i + 1:i + 4]
            if nxt[:1].isdigit():
                digits = re.match(rb"[0-7]{1,3}", nxt).group(0)
                out.append(int(digits, 8))
                i += 1 + len(digits)
                continue
            out.append(raw[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    data = bytes(out)
    return data[2:].decode("utf-16-be") if data.startswith(b"\xfe\xff") else data.decode("latin-1")
