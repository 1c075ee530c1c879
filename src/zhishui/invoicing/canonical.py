"""The canonical form of an invoice's content: what is hashed (SM3), signed (SM2) and chained.

One function, ``canonical_bytes``, turns the invoice header and its lines into deterministic JSON
(sorted keys, no whitespace, amounts as fixed two-decimal strings, quantities and rates in their
shortest decimal form, the issue time in Asia/Shanghai to the second). The same bytes are rebuilt
from a database row (``from_invoice``) and from an uploaded XML document (``xmldoc.parse``), so a
stored or downloaded invoice can be checked against its digest wherever it comes from.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from zhishui.core.crypto import sm3_hex

SHANGHAI = ZoneInfo("Asia/Shanghai")
VERSION = 1
HEADER_FIELDS = ("number", "kind", "colour", "issued_at", "seller_id", "seller_name", "buyer_id", "buyer_name",
                 "amount", "tax", "total", "remark", "issuer", "red_of", "red_form_no", "key_id", "prev_hash")
LINE_FIELDS = ("line_no", "goods_code", "item_name", "specification", "unit", "quantity", "unit_price", "amount",
               "tax_rate", "tax", "red_of_line")


def money_text(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def decimal_text(value: Decimal | None) -> str:
    """Shortest exact decimal: 2.50000000 → "2.5", 100 → "100"; None → ""."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def time_text(value: datetime) -> str:
    return value.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


def canonical_dict(header: dict, lines: list[dict]) -> dict:
    return {
        "v": VERSION,
        "number": header["number"],
        "kind": header["kind"],
        "colour": header["colour"],
        "issued_at": time_text(header["issued_at"]),
        "seller": {"id": header["seller_id"], "name": header["seller_name"]},
        "buyer": {"id": header["buyer_id"] or "", "name": header["buyer_name"]},
        "amount": money_text(header["amount"]),
        "tax": money_text(header["tax"]),
        "total": money_text(header["total"]),
        "remark": header.get("remark") or "",
        "issuer": header.get("issuer") or "",
        "red_of": header.get("red_of") or "",
        "red_form_no": header.get("red_form_no") or "",
        "key_id": header["key_id"],
        "prev": header["prev_hash"],
        "lines": [{
            "no": int(line["line_no"]),
            "code": line["goods_code"],
            "name": line["item_name"],
            "spec": line.get("specification") or "",
            "unit": line.get("unit") or "",
            "qty": decimal_text(line.get("quantity")),
            "price": decimal_text(line.get("unit_price")),
            "amount": money_text(line["amount"]),
            "rate": decimal_text(line["tax_rate"]),
            "tax": money_text(line["tax"]),
            "red_of_line": int(line["red_of_line"]) if line.get("red_of_line") else 0,
        } for line in lines],
    }


def canonical_bytes(header: dict, lines: list[dict]) -> bytes:
    return json.dumps(canonical_dict(header, lines), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def digest_of(header: dict, lines: list[dict]) -> str:
    return sm3_hex(canonical_bytes(header, lines))


def from_invoice(invoice, lines=None) -> tuple[dict, list[dict]]:
    """Header and line dicts of a stored invoice (``lines`` defaults to its lines in order)."""
    header = {f: getattr(invoice, f) for f in HEADER_FIELDS if f != "red_of"}
    header["red_of"] = invoice.red_of_id or ""
    rows = lines if lines is not None else list(invoice.lines.order_by("line_no"))
    return header, [{f: getattr(line, f) for f in LINE_FIELDS} for line in rows]
