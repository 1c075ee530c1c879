"""Small facts every invoice document shares: type codes, titles, the tax bureau, the QR payload."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone

from zhishui import config
from zhishui.core.regions import resolve

# 发票类型代码 of the fully digitalised e-invoice as used in public 数电票 interfaces.
TYPE_CODES = {"special": "81", "ordinary": "82"}
KINDS_BY_CODE = {v: k for k, v in TYPE_CODES.items()}
TITLES = {"special": "电子发票（增值税专用发票）", "ordinary": "电子发票（普通发票）"}


@lru_cache(maxsize=4)
def tax_bureau(district: str | None = None) -> tuple[str, str]:
    """(code, name) of the district bureau: 1 + 6-digit division + 0000, 国家税务总局…税务局."""
    district = district or settings.ZHISHUI_DISTRICT
    region = resolve(district)
    names = [name for _code, name in region.path[1:]] or [region.name]
    return f"1{district}0000", "国家税务总局" + "".join(names) + "税务局"


def qr_payload(invoice) -> str:
    """01,<type>,,<number>,<total>,<yyyymmdd>,<first 20 hex digits of the SM3 digest>."""
    day = timezone.localtime(invoice.issued_at).strftime("%Y%m%d")
    return f"01,{TYPE_CODES[invoice.kind]},,{invoice.number},{invoice.total:.2f},{day},{invoice.digest[:20]}"


def verify_url(invoice) -> str:
    base = str(config.get("ZHISHUI_PUBLIC_URL")).rstrip("/")
    return f"{base}/verify/q/?c={quote(qr_payload(invoice), safe=',')}"


def parse_qr(text: str) -> dict | None:
    """The fields of a QR payload (or of a verification URL carrying one); ``None`` if it is not one."""
    text = (text or "").strip()
    if "c=" in text:
        from urllib.parse import parse_qs, urlsplit

        text = (parse_qs(urlsplit(text).query).get("c") or [""])[0]
    parts = text.split(",")
    if len(parts) != 7 or parts[0] != "01" or parts[1] not in KINDS_BY_CODE:
        return None
    return {"kind": KINDS_BY_CODE[parts[1]], "number": parts[3], "total": parts[4], "date": parts[5],
            "check": parts[6]}
