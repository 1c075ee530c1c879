"""PDF helpers shared by every document the platform renders (notices, reports, invoices).

ReportLab draws Chinese only with a TrueType CJK font. ``cjk_font()`` finds WenQuanYi Micro Hei
(Debian's ``fonts-wqy-microhei``) in the usual places, registers it with ReportLab once and returns
the font name to use. A machine without the font gets a clear
error naming the package to install, never a PDF full of empty boxes. (A vendored copy, with its
licence, may be put at ``core/fonts/wqy-microhei.ttc``.)
"""

from __future__ import annotations

import threading
from pathlib import Path

FONT_NAME = "ZhishuiCJK"

# Where Debian, Ubuntu, Fedora and Alpine put WenQuanYi Micro Hei, then a vendored copy.
CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc"),
    Path("/usr/share/fonts/TTF/wqy-microhei.ttc"),
    Path("/usr/local/share/fonts/wqy-microhei.ttc"),
    Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc",
)

_lock = threading.Lock()
_registered: str | None = None


class FontMissing(RuntimeError):
    """No CJK TrueType font was found: PDFs with Chinese text cannot be drawn."""


def find_cjk_font() -> Path:
    """The path of the CJK font file, or ``FontMissing`` listing where it was looked for."""
    for path in CANDIDATES:
        if path.is_file():
            return path
    searched = "\n".join(f"  {p}" for p in CANDIDATES)
    raise FontMissing(
        "找不到中文字体，无法生成 PDF。请安装文泉驿微米黑（apt-get install fonts-wqy-microhei），"
        "或将字体文件（附许可证）放在 src/zhishui/core/fonts/wqy-microhei.ttc。\n"
        "No CJK font found, so no PDF can be drawn: install WenQuanYi Micro Hei "
        "(apt-get install fonts-wqy-microhei) or vendor it, with its licence, as core/fonts/wqy-microhei.ttc.\n"
        f"Searched:\n{searched}")


def cjk_font() -> str:
    """Register the CJK font with ReportLab (once per process) and return its ReportLab name."""
    global _registered
    if _registered:
        return _registered
    with _lock:
        if _registered:
            return _registered
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        path = find_cjk_font()
        options = {"subfontIndex": 0} if path.suffix.lower() == ".ttc" else {}
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), **options))
        _registered = FONT_NAME
    return _registered
