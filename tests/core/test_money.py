"""Money: parsing, rounding and 大写 amounts.

The 大写 convention (see ``to_capital``): 《会计基础工作规范》第五十二条 and 《支付结算办法》附件一; the
optional 零 at 元位/万位 is always written and 角 is followed by 整. The examples marked 支付结算办法
are that document's own.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhishui.core.errors import ValidationFailure
from zhishui.core.money import MAX_AMOUNT, fen, format_money, to_capital, to_money


@pytest.mark.parametrize(("amount", "capital"), [
    ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
    ("100000", "壹拾万元整"),
    ("1001.01", "壹仟零壹元零壹分"),
    ("10.50", "壹拾元零伍角整"),
    ("100000000.00", "壹亿元整"),
    ("10001000", "壹仟万零壹仟元整"),
    ("0.05", "伍分"),
    ("0.50", "伍角整"),
    ("0.55", "伍角伍分"),
    ("0", "零元整"),
    ("0.00", "零元整"),
    ("10", "壹拾元整"),
    ("15.00", "壹拾伍元整"),
    ("1.20", "壹元贰角整"),
    ("200.11", "贰佰元零壹角壹分"),
    ("205.12", "贰佰零伍元壹角贰分"),
    ("67004.00", "陆万柒仟零肆元整"),
    ("200080.07", "贰拾万零捌拾元零柒分"),
    ("12003456", "壹仟贰佰万零叁仟肆佰伍拾陆元整"),
    ("100010000", "壹亿零壹万元整"),
    ("1010000000", "壹拾亿零壹仟万元整"),
    ("100000000.01", "壹亿元零壹分"),
    ("9999999999999999.99", "玖仟玖佰玖拾玖万亿玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    # 支付结算办法附件一 examples
    ("1409.50", "壹仟肆佰零玖元伍角整"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
    ("107000.53", "壹拾万零柒仟元零伍角叁分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("1004.56", "壹仟零肆元伍角陆分"),
])
def test_to_capital(amount, capital):
    assert to_capital(amount) == capital


def test_to_capital_negative_and_types():
    assert to_capital("-10.5") == "负壹拾元零伍角整"
    assert to_capital(Decimal("-0.05")) == "负伍分"
    assert to_capital(100) == "壹佰元整"
    assert to_capital(Decimal("-0.00")) == "零元整"


def test_to_capital_rounds_half_up_to_fen():
    assert to_capital("0.005") == "壹分"
    assert to_capital("1.994") == "壹元玖角玖分"
    assert to_capital("1.995") == "贰元整"


def test_to_capital_too_large():
    with pytest.raises(ValidationFailure) as info:
        to_capital(MAX_AMOUNT + Decimal("0.01"))
    assert info.value.errors[0].field == "amount"


_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def _read_capital(text: str) -> Decimal:
    """Read a 大写 amount back, independently of ``to_capital``, to check it round trips."""
    sign = -1 if text.startswith("负") else 1
    text = text.removeprefix("负").removesuffix("整")
    yuan_text, _, small = text.rpartition("元") if "元" in text else ("", "", text)
    total = section = digit = 0
    for ch in yuan_text:
        if ch in _DIGIT:
            digit = _DIGIT[ch]
        elif ch in _SMALL:
            section += digit * _SMALL[ch]
            digit = 0
        elif ch == "万":
            section = (section + digit) * 10_000
            digit = 0
        elif ch == "亿":
            total += (section + digit) * 100_000_000  # 万亿: the 万 already scaled the section
            section = digit = 0
    cents = (total + section + digit) * 100
    for value, unit in re.findall(r"([壹贰叁肆伍陆柒捌玖])([角分])", small):
        cents += _DIGIT[value] * (10 if unit == "角" else 1)
    return sign * Decimal(cents) / 100


@given(st.decimals(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT, places=2))
def test_to_capital_reads_back(amount):
    capital = to_capital(amount)
    assert _read_capital(capital) == amount
    assert not re.search(r"零[元万亿角分整]", capital) or capital == "零元整"
    # One 零 for every run of zeros between non-zero digits, 元位/万位 included, and no other.
    digits = str(abs(int(amount * 100))).rstrip("0")
    assert capital.count("零") == len(re.findall("0+", digits)) or capital == "零元整"
    assert capital.endswith("分") != capital.endswith("整")


def test_to_money():
    assert to_money("12.3") == Decimal("12.30")
    assert to_money(5) == Decimal("5.00")
    assert to_money(" -0.01 ") == Decimal("-0.01")
    for bad, fragment in ((0.1, "浮点数"), ("1,000.00", "千位分隔符"), ("1.234", "两位小数"),
                          ("", "不能为空"), ("1e3", "必须是数字"), (True, "浮点数")):
        with pytest.raises(ValidationFailure) as info:
            to_money(bad, field="price")
        assert info.value.errors[0].field == "price" and fragment in info.value.errors[0].message_zh
    with pytest.raises(ValidationFailure):
        to_money("-1", allow_negative=False)


def test_fen_and_format():
    assert fen("2.675") == Decimal("2.68")
    assert fen("-2.675") == Decimal("-2.68")
    assert format_money(Decimal("12345.6")) == "12,345.60"
