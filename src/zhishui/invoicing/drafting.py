"""Checking an invoice request before anything is written: the synchronous checks of 开具.

``prepare`` takes plain data (from the API, the web form or a row of the Excel template) and the
seller's registration, and returns a ``Draft`` with every line normalised (item name in
``*简称*名称`` form, tax computed) and the totals — or raises one ``ValidationFailure`` listing every
bad field, each named (``lines[3].tax_rate``) with its Chinese and English message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from zhishui.core.errors import ErrorCollector, ValidationFailure
from zhishui.core.identifiers import ID_KIND, LEGACY_KIND, USCC_KIND, classify
from zhishui.core.money import MAX_AMOUNT, fen, to_money

from . import goods
from .models import Invoice
from .parties import ABNORMAL, DEREGISTERED, NONE, Party

MAX_LINES = 2000
QTY_TOLERANCE = Decimal("0.01")  # |quantity × unit price − amount| (数电票: 不超过0.01元)
TAX_TOLERANCE = Decimal("0.06")  # |given tax − amount × rate| (the 6-fen tolerance)
MAX_QTY = Decimal("9999999999999999")


@dataclass
class DraftLine:
    line_no: int
    goods_code: str
    item_name: str
    specification: str
    unit: str
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal
    tax_rate: Decimal
    tax: Decimal
    red_of_line: int | None = None


@dataclass
class Draft:
    kind: str
    buyer_id: str
    buyer_name: str
    remark: str
    issuer: str
    lines: list[DraftLine] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal("0.00"))

    @property
    def tax(self) -> Decimal:
        return sum((ln.tax for ln in self.lines), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.amount + self.tax


def check_seller(seller: Party) -> None:
    """A 非正常户 or a deregistered taxpayer cannot issue; neither can one without VAT registration."""
    if seller.state == ABNORMAL:
        raise ValidationFailure("seller_id", f"纳税人“{seller.name}”为非正常户，暂停开具发票",
                                f"{seller.taxpayer_id} is an abnormal taxpayer (非正常户) and may not issue invoices",
                                seller.taxpayer_id, code="seller_abnormal")
    if seller.state == DEREGISTERED:
        raise ValidationFailure("seller_id", f"纳税人“{seller.name}”已注销，不能开具发票",
                                f"{seller.taxpayer_id} is deregistered and may not issue invoices",
                                seller.taxpayer_id, code="seller_deregistered")
    if seller.vat_status == NONE:
        raise ValidationFailure("seller_id", f"纳税人“{seller.name}”未登记为增值税纳税人，不能开具增值税发票",
                                f"{seller.taxpayer_id} is not registered for VAT", seller.taxpayer_id,
                                code="seller_not_vat")


def parse_rate(value: object, field_name: str) -> Decimal:
    text = str(value if value is not None else "").strip()
    try:
        if text.endswith("%"):
            rate = Decimal(text[:-1]) / 100
        else:
            rate = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationFailure(field_name, "税率/征收率格式不正确（如 0.13 或 13%）",
                                "malformed rate (e.g. 0.13 or 13%)", value) from exc
    if isinstance(value, float) or not text or not Decimal(0) <= rate < 1:
        raise ValidationFailure(field_name, "税率/征收率格式不正确（如 0.13 或 13%）",
                                "malformed rate (e.g. 0.13 or 13%)", value)
    return rate.normalize() if rate else Decimal(0)


def parse_decimal(value: object, field_name: str, what_zh: str, what_en: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float | bool):
        raise ValidationFailure(field_name, f"{what_zh}必须以十进制字符串提供", f"{what_en} must be a decimal string",
                                value)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValidationFailure(field_name, f"{what_zh}必须是数字", f"{what_en} must be a number", value) from exc
    if not number.is_finite() or number <= 0 or number > MAX_QTY or -number.as_tuple().exponent > 8:
        raise ValidationFailure(field_name, f"{what_zh}必须大于0，最多8位小数", f"{what_en} must be positive with at "
                                "most 8 decimals", value)
    return number


def _text(data: dict, key: str, limit: int, errors: ErrorCollector, name: str, what_zh: str, what_en: str,
          required: bool = False) -> str:
    value = data.get(key)
    text = "" if value is None else str(value).strip()
    if required and not text:
        errors.add(name, f"{what_zh}不能为空", f"{what_en} is required", value)
    elif len(text) > limit:
        errors.add(name, f"{what_zh}最长{limit}个字符", f"{what_en} is at most {limit} characters", text)
    elif any(ord(ch) < 32 for ch in text):
        errors.add(name, f"{what_zh}不能包含控制字符", f"{what_en} must not contain control characters", text)
    return text


@lru_cache(maxsize=4096)
def _identifier(text: str) -> tuple[bool, str, str]:
    # classify is a pure function of the text (and the static code tables); its description is the
    # costly part, and the same buyers recur, so the few fields used here are remembered.
    result = classify(text)
    return result.valid, result.kind, result.detail


def _check_buyer(kind: str, buyer_id: str, seller: Party, errors: ErrorCollector, prefix: str) -> str:
    name = f"{prefix}buyer_id"
    if not buyer_id:
        if kind == Invoice.SPECIAL:
            errors.add(name, "增值税专用发票必须填写购买方纳税人识别号", "a special VAT invoice needs the buyer's "
                       "taxpayer identifier", buyer_id)
        return ""
    valid, id_kind, detail = _identifier(buyer_id)
    if not valid:
        errors.add(name, f"购买方识别号无效：{detail}", f"invalid buyer identifier: {detail}", buyer_id)
        return buyer_id
    allowed = (USCC_KIND, LEGACY_KIND) if kind == Invoice.SPECIAL else (USCC_KIND, LEGACY_KIND, ID_KIND)
    if id_kind not in allowed:
        errors.add(name, "增值税专用发票的购买方应为单位纳税人（统一社会信用代码或纳税人识别号）",
                   "the buyer of a special VAT invoice must be a taxpayer with a USCC or taxpayer number", buyer_id)
    if buyer_id == seller.taxpayer_id:
        errors.add(name, "不能向自己开具发票", "an invoice cannot be issued to oneself", buyer_id)
    return buyer_id


def _line(raw: object, index: int, seller: Party, errors: ErrorCollector, prefix: str) -> DraftLine | None:
    name = f"{prefix}lines[{index}]"
    if not isinstance(raw, dict):
        errors.add(name, "明细行格式不正确", "malformed line", None)
        return None
    before = len(errors.errors)
    code = errors.check(goods.lookup, raw.get("goods_code"), f"{name}.goods_code")
    item = _text(raw, "name", 200, errors, f"{name}.name", "项目名称", "item name")
    spec = _text(raw, "specification", 100, errors, f"{name}.specification", "规格型号", "specification")
    unit = _text(raw, "unit", 20, errors, f"{name}.unit", "单位", "unit")
    amount = errors.check(to_money, raw.get("amount"), f"{name}.amount", allow_negative=False)
    if amount is not None and amount <= 0:
        errors.add(f"{name}.amount", "金额必须大于0", "the amount must be positive", raw.get("amount"))
        amount = None
    if amount is not None and amount > MAX_AMOUNT:
        errors.add(f"{name}.amount", "金额过大", "the amount is too large", raw.get("amount"))
        amount = None
    rate = errors.check(parse_rate, raw.get("tax_rate"), f"{name}.tax_rate")
    qty = errors.check(parse_decimal, raw.get("quantity"), f"{name}.quantity", "数量", "quantity")
    price = errors.check(parse_decimal, raw.get("unit_price"), f"{name}.unit_price", "单价", "unit price")
    if (qty is None) != (price is None) and f"{name}.quantity" not in {e.field for e in errors.errors}:
        errors.add(f"{name}.quantity", "数量与单价应同时填写或同时不填",
                   "give both quantity and unit price, or neither", raw.get("quantity"))
    if code is not None and rate is not None:
        errors.check(goods.check_rate, code, rate, seller.vat_status, f"{name}.tax_rate")
    if qty is not None and price is not None and amount is not None and abs(qty * price - amount) > QTY_TOLERANCE:
        errors.add(f"{name}.amount", f"数量×单价={fen(qty * price)}，与金额{amount}相差超过0.01元",
                   f"quantity × unit price = {fen(qty * price)} differs from the amount {amount} by more than 0.01",
                   raw.get("amount"))
    if len(errors.errors) > before or code is None or amount is None or rate is None:
        return None
    tax = fen(amount * rate)
    given = raw.get("tax")
    if given not in (None, ""):
        given_tax = errors.check(to_money, given, f"{name}.tax", allow_negative=False)
        if given_tax is None:
            return None
        if abs(given_tax - amount * rate) > TAX_TOLERANCE:
            errors.add(f"{name}.tax", f"税额{given_tax}与金额×税率={tax}相差超过0.06元",
                       f"tax {given_tax} differs from amount × rate = {tax} by more than 0.06", given)
            return None
        tax = given_tax
    return DraftLine(index + 1, code.code, code.item_name(item), spec, unit, qty, price, amount, rate, tax)


def prepare(seller: Party, data: object, *, prefix: str = "", default_issuer: str = "") -> Draft:
    """Validate one invoice request for ``seller``; raise every problem at once."""
    check_seller(seller)
    errors = ErrorCollector()
    if not isinstance(data, dict):
        raise ValidationFailure(prefix.rstrip(".") or "body", "请求内容格式不正确", "malformed request", None)
    kind = str(data.get("kind") or "").strip()
    if kind not in (Invoice.SPECIAL, Invoice.ORDINARY):
        errors.add(f"{prefix}kind", "票种应为 special（增值税专用发票）或 ordinary（普通发票）",
                   "kind must be special or ordinary", data.get("kind"))
    buyer = data.get("buyer") if isinstance(data.get("buyer"), dict) else {
        "id": data.get("buyer_id"), "name": data.get("buyer_name")}
    buyer_id = str(buyer.get("id") or "").strip().upper()
    buyer_name = _text(buyer, "name", 200, errors, f"{prefix}buyer_name", "购买方名称", "buyer name", required=True)
    buyer_id = _check_buyer(kind, buyer_id, seller, errors, prefix)
    remark = _text(data, "remark", 500, errors, f"{prefix}remark", "备注", "remarks")
    issuer = _text(data, "issuer", 50, errors, f"{prefix}issuer", "开票人", "issuer") or default_issuer[:50]
    raw_lines = data.get("lines")
    lines: list[DraftLine] = []
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.add(f"{prefix}lines", "至少需要一行明细", "at least one line is required", None)
    elif len(raw_lines) > MAX_LINES:
        errors.add(f"{prefix}lines", f"每张发票最多{MAX_LINES}行明细，实有{len(raw_lines)}行",
                   f"at most {MAX_LINES} lines per invoice, got {len(raw_lines)}", len(raw_lines))
    else:
        for i, raw in enumerate(raw_lines):
            line = _line(raw, i, seller, errors, prefix)
            if line is not None:
                lines.append(line)
    draft = Draft(kind, buyer_id, buyer_name, remark, issuer, lines)
    if not errors.errors and draft.total > MAX_AMOUNT:
        errors.add(f"{prefix}lines", "价税合计过大", "the total is too large", None)
    errors.raise_if_any()
    return draft
