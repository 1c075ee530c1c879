"""Registry services: loading feeds (``importer.import_directory``), exporting them, accepting an
upload from the web page, and the reason-gated view of unmasked personal data."""

from __future__ import annotations

import re
import secrets
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhishui.core import audit
from zhishui.core.errors import ValidationFailure

from .exporter import export_directory
from .feeds import FEEDS, FORMATS
from .importer import BatchReport, import_directory
from .readers import FileRejected, Problem, check_zip

__all__ = ["accept_upload", "export_directory", "import_directory", "reveal_personal_data"]

MIN_REASON = 4
_FEED_FILE = re.compile(r"^(?P<feed>[a-z_]+)\.(?P<ext>csv|xlsx|parquet)$", re.I)


def reveal_personal_data(request, *, object_type: str, key: str, reason: str, shown: list[str]) -> None:
    """Allow one view of unmasked personal data: the capability, a reason, and an audit event.

    Raises ``PermissionDenied`` (audited) without ``view_personal_data`` and ``ValidationFailure``
    without a reason.
    """
    if not request.user.has_perm("core.view_personal_data"):
        audit.record("access.denied", request=request, object_type=object_type, object_id=key, outcome="denied",
                     detail={"needs": ["view_personal_data"], "path": request.path})
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationFailure("reason", f"请说明查看完整个人信息的理由（至少{MIN_REASON}个字）",
                                f"give the reason for viewing full personal data (at least {MIN_REASON} characters)",
                                reason)
    audit.record("personal_data.view", request=request, object_type=object_type, object_id=key,
                 reason=reason[:1000], detail={"shown": shown[:50], "path": request.path})


def upload_root() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def _safe_member(name: str) -> str | None:
    """The base name of a zip member if it is a feed file or the manifest, else None."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if base == "manifest.json":
        return base
    m = _FEED_FILE.match(base)
    if m and m["feed"] in FEEDS and m["ext"].lower() in FORMATS:
        return base
    return None


def _extract(zip_path: Path, target: Path, max_bytes: int, notes: list[Problem]) -> None:
    check_zip(zip_path, max_bytes, "压缩包", "zip archive")
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            base = _safe_member(info.filename)
            if base is not None and (target / base).exists():
                notes.append(Problem(zip_path.name, None, info.filename, None, f"压缩包中有两个{base}，只取第一个",
                                     f"the archive holds {base} twice; the first one is used"))
                continue
            if base is None:
                notes.append(Problem(zip_path.name, None, info.filename, None,
                                     "压缩包中的此文件不是交换格式文件，已忽略",
                                     "this member is not a file of the exchange format; ignored"))
                continue
            with zf.open(info) as src, (target / base).open("wb") as dst:
                remaining = max_bytes
                while chunk := src.read(1 << 20):
                    remaining -= len(chunk)
                    if remaining < 0:  # the declared size lied
                        raise FileRejected([Problem(zip_path.name, None, info.filename, None,
                                                    "解压后超过大小上限，已停止",
                                                    "inflates beyond the size limit; stopped")])
                    dst.write(chunk)


def accept_upload(files, *, user, request, source: str = "", skip_invalid: bool = False) -> BatchReport:
    """Save uploaded feed files (or zips of them) in a fresh directory under var/imports and load it."""
    max_bytes = settings.ZHISHUI_IMPORT_MAX_BYTES
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    target = upload_root() / f"{stamp}-{secrets.token_hex(4)}"
    target.mkdir(parents=True)
    notes: list[Problem] = []
    for f in files:
        name = Path(f.name).name
        if f.size > max_bytes:
            notes.append(Problem(name, None, "", None, f"文件大小超过上限{max_bytes}字节，未保存",
                                 f"larger than the limit of {max_bytes} bytes; not saved"))
            continue
        if name.lower().endswith(".zip"):
            zip_path = target / ".upload.zip"
            with zip_path.open("wb") as out:
                for chunk in f.chunks():
                    out.write(chunk)
            try:
                _extract(zip_path, target, max_bytes, notes)
            except FileRejected as exc:
                notes += exc.problems
            finally:
                zip_path.unlink(missing_ok=True)
            continue
        if _safe_member(name) is None:
            notes.append(Problem(name, None, "", None,
                                 "文件名应为“数据项.csv/.xlsx/.parquet”、manifest.json或zip压缩包",
                                 "a file is named <feed>.csv/.xlsx/.parquet, manifest.json, or is a zip archive"))
            continue
        with (target / name).open("wb") as out:
            for chunk in f.chunks():
                out.write(chunk)
    report = import_directory(target, by=user.username, via="web", skip_invalid=skip_invalid, source=source,
                              request=request)
    if notes:
        from .models import ImportBatch

        report.messages = notes + report.messages
        ImportBatch.objects.filter(pk=report.batch_id).update(messages=[m.as_dict() for m in report.messages])
        if not report.files:
            report.status = "rejected"
            ImportBatch.objects.filter(pk=report.batch_id).update(status="rejected")
    return report
