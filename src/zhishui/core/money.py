"""Money: Decimal amounts in 元, rounded half-up to the fen where a form reports them.

Never binary floats for tax. ``to_money`` is the one parser for amounts coming from outside
(forms, files, JSON); ``fen`` rounds a computed amount; ``to_capital`` writes an amount in
Chinese capital numerals (大写) the way invoices and notices print it.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import ValidationFailure

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999999999.99")  # DecimalField(max_digits=18, decimal_places=2)

_MONEY_RE = re.compile(r"^-?\d{1,16}(\.\d{1,2})?$")


def fen(value: Decimal | int | str) -> Decimal:
    """Round to the fen, half-up (四舍五入)."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def to_money(value: object, field: str = "amount", *, allow_negative: bool = True) -> Decimal:
    """Parse an amount from outside: a decimal string or int with at most two decimals.

    Rejects floats (binary fractions), thousands separators, exponents and a third decimal,
    naming the field in Chinese and English.
    """
    if isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, bool) or isinstance(value, float):
        raise ValidationFailure(field, "金额必须以十进制字符串提供，不能是浮点数",
                                "amount must be a decimal string, not a float", value)
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValidationFailure(field, "金额格式不正确", "malformed amount", value)
    if not text:
        raise ValidationFailure(field, "金额不能为空", "amount is required", value)
    if "," in text or "，" in text:
        raise ValidationFailure(field, "金额不能含千位分隔符", "amount must not contain thousands separators",
                                value)
    if not _MONEY_RE.match(text):
        if re.match(r"^-?\d+\.\d{3,}$", text):
            raise ValidationFailure(field, "金额最多两位小数（元、角、分）",
                                    "amount has more than two decimals", value)
        raise ValidationFailure(field, "金额必须是数字，最多两位小数", "amount must be a number with at most "
                                "two decimals", value)
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise ValidationFailure(field, "金额格式不正确", "malformed amount", value) from exc
    if amount < 0 and not allow_negative:
        raise ValidationFailure(field, "金额不能为负数", "amount must not be negative", value)
    return amount.quantize(FEN)


def format_money(amount: Decimal) -> str:
    """Two decimals with thousands separators for display: 12,345.60."""
    return f"{fen(amount):,.2f}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "万亿"]


def _four_digits(group: int) -> str:
    """Write 0 < group < 10000 with 零 between non-zero digits separated by zeros."""
    digits = f"{group:04d}"
    out = []
    zero_pending = False
    started = False
    for i, ch in enumerate(digits):
        d = int(ch)
        unit = _SMALL_UNITS[3 - i]
        if d == 0:
            if started:
                zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DIGITS[d] + unit)
        started = True
    return "".join(out)


def to_capital(amount: Decimal | int | str) -> str:
    """Amount in Chinese capital numerals (大写金额), e.g. 12345.67 → 壹万贰仟叁佰肆拾伍元陆角柒分.

    Follows 《会计基础工作规范》第五十二条(三)(五) and 《支付结算办法》附件一《正确填写票据和结算凭证的
    基本规定》: a run of zeros between two non-zero digits reads as one 零, across 万/亿 and across
    元 into 角 (1004.56 → 壹仟零肆元伍角陆分, 16409.02 → 壹万陆仟肆佰零玖元零贰分). Where a run ends
    at 元位 (and, in 《支付结算办法》, 万位) before a non-zero 角 (千位) both texts allow leaving the
    零 out; it is always written here, which both allow, so the same amount always reads the same
    (1680.32 → 壹仟陆佰捌拾元零叁角贰分, 10001000 → 壹仟万零壹仟元整). An amount ending at 元 or 角
    ends in 整 (第五十二条 requires it after 角 too; 《支付结算办法》 allows either), one with 分 does
    not. A zero amount is 零元整; negative amounts (red invoices) are prefixed 负.
    """
    value = fen(amount)
    if abs(value) > MAX_AMOUNT:
        raise ValidationFailure("amount", "金额超出可书写的范围", "amount too large to write in capitals",
                                amount)
    prefix = ""
    if value < 0:
        prefix = "负"
        value = -value
    cents = int((value * 100).to_integral_value())
    yuan, rest = divmod(cents, 100)
    jiao, fen_ = divmod(rest, 10)
    if yuan == 0 and rest == 0:
        return "零元整"

    parts: list[str] = []
    if yuan:
        groups = []
        n = yuan
        while n:
            n, g = divmod(n, 10000)
            groups.append(g)
        text = ""
        zeros_before = False  # a zero digit lies between what is written and the next non-zero digit
        for idx in range(len(groups) - 1, -1, -1):
            g = groups[idx]
            if g == 0:
                zeros_before = bool(text)
                continue
            if text and (zeros_before or g < 1000):
                text += "零"
            text += _four_digits(g) + _BIG_UNITS[idx]
            zeros_before = g % 10 == 0
        parts.append(text + "元")
    if jiao:
        if yuan % 10 == 0 and yuan:
            parts.append("零")
        parts.append(_DIGITS[jiao] + "角")
    elif fen_ and yuan:
        parts.append("零")
    if fen_:
        parts.append(_DIGITS[fen_] + "分")
    else:
        parts.append("整")
    return prefix + "".join(parts)
