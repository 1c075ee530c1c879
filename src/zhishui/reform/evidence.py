"""Evidence files (佐证材料): checked by their content, stored where the web server never serves them.

A file is accepted when its size is within ``MAX_BYTES`` and its first bytes (and, for ZIP-based
formats, its parts) show the type its extension claims: PDF, OFD (the national e-document format),
Word/Excel/PowerPoint (OOXML or the older OLE format), PNG, JPEG. A file whose content does not match
its extension — an executable renamed ``.pdf``, a spreadsheet renamed ``.docx`` — is refused.

Accepted files are written under ``MEDIA_ROOT/reform/evidence/YYYY/`` with a random name and no
extension, created exclusively (an existing file is never overwritten) and made read-only; the SM3
digest is kept with the record and checked again every time the file is served.
"""

from __future__ import annotations

import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from zhishui.core.crypto import sm3_hex
from zhishui.core.errors import ErrorCollector

MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 10

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    content_type: str
    magic: bytes
    zip_part: str = ""  # a ZIP member (prefix) that must be present


KINDS: dict[str, Kind] = {k.code: k for k in [
    Kind("pdf", "PDF", "application/pdf", b"%PDF-"),
    Kind("ofd", "OFD", "application/ofd", ZIP, "OFD.xml"),
    Kind("docx", "Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP, "word/"),
    Kind("xlsx", "Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP, "xl/"),
    Kind("pptx", "PowerPoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
         ZIP, "ppt/"),
    Kind("doc", "Word", "application/msword", OLE),
    Kind("xls", "Excel", "application/vnd.ms-excel", OLE),
    Kind("ppt", "PowerPoint", "application/vnd.ms-powerpoint", OLE),
    Kind("png", "PNG", "image/png", b"\x89PNG\r\n\x1a\n"),
    Kind("jpg", "JPEG", "image/jpeg", b"\xff\xd8\xff"),
]}
EXTENSIONS = {**{k: k for k in KINDS}, "jpeg": "jpg"}
ACCEPT = ",".join(f".{e}" for e in EXTENSIONS)


@dataclass(frozen=True)
class Checked:
    name: str
    kind: Kind
    data: bytes
    sm3: str


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _zip_parts(data: bytes) -> list[str] | None:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _matches(kind: Kind, data: bytes) -> bool:
    if not data.startswith(kind.magic):
        return False
    if kind.zip_part:
        parts = _zip_parts(data)
        if parts is None:
            return False
        if kind.code != "ofd" and "[Content_Types].xml" not in parts:
            return False
        return any(p == kind.zip_part or p.startswith(kind.zip_part) for p in parts)
    return True


def check_files(files, errors: ErrorCollector, field: str = "evidence") -> list[Checked]:
    """Read and check uploaded files; every problem goes to ``errors`` naming the file."""
    checked: list[Checked] = []
    files = list(files or [])
    if len(files) > MAX_FILES:
        errors.add(field, f"一次最多上传 {MAX_FILES} 个佐证材料文件", f"at most {MAX_FILES} evidence files per report",
                   len(files))
        return []
    limit_mb = MAX_BYTES // (1024 * 1024)
    for upload in files:
        name = os.path.basename(getattr(upload, "name", "") or "")[:200] or "file"
        size = getattr(upload, "size", None)
        if size is not None and size > MAX_BYTES:
            errors.add(field, f"文件“{name}”超过 {limit_mb} MB 上限", f"file “{name}” is larger than {limit_mb} MB",
                       name)
            continue
        data = upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            errors.add(field, f"文件“{name}”超过 {limit_mb} MB 上限", f"file “{name}” is larger than {limit_mb} MB",
                       name)
            continue
        if not data:
            errors.add(field, f"文件“{name}”是空文件", f"file “{name}” is empty", name)
            continue
        ext = _extension(name)
        if ext not in EXTENSIONS:
            errors.add(field, f"文件“{name}”的类型不允许；允许 PDF、OFD、Word、Excel、PowerPoint、PNG、JPEG",
                       f"file “{name}” is not an accepted type: PDF, OFD, Word, Excel, PowerPoint, PNG, JPEG", name)
            continue
        kind = KINDS[EXTENSIONS[ext]]
        if not _matches(kind, data):
            errors.add(field, f"文件“{name}”的内容与扩展名 .{ext} 不符（不是真正的 {kind.label} 文件）",
                       f"the content of file “{name}” does not match its extension .{ext} (not a real {kind.label} "
                       "file)", name)
            continue
        checked.append(Checked(name, kind, data, sm3_hex(data)))
    return checked


def evidence_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "reform" / "evidence"


def path_of(stored_name: str) -> Path:
    year, _rest = stored_name.split("-", 1)
    return evidence_dir() / year / stored_name


def store(item: Checked, year: int) -> str:
    """Write the file exclusively under a new random name; return that name."""
    folder = evidence_dir() / str(year)
    folder.mkdir(parents=True, exist_ok=True, mode=0o750)
    while True:
        stored_name = f"{year}-{secrets.token_hex(16)}"
        path = folder / stored_name
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as fh:
            fh.write(item.data)
        os.chmod(path, 0o440)
        return stored_name


def discard(stored_names: list[str]) -> None:
    """Remove files written for a report whose transaction did not commit."""
    for stored_name in stored_names:
        try:
            path = path_of(stored_name)
            os.chmod(path, 0o640)
            path.unlink()
        except OSError:
            pass


def read_verified(stored_name: str, expected_sm3: str) -> bytes | None:
    """The file's bytes if present and unchanged since upload, else ``None``."""
    try:
        data = path_of(stored_name).read_bytes()
    except OSError:
        return None
    return data if sm3_hex(data) == expected_sm3 else None
