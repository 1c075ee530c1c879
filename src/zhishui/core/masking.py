"""Masking of personal data for roles that do not need it in full (PIPL art. 6 minimum necessary,
art. 51 de-identification).

Masking never fails: it runs on stored data when a page is drawn, and an unexpected value must
come out hidden, not raise. What stays visible is enough to tell records apart and no more: an ID
number keeps its address code and last four characters (the birth date, which with the address
code narrows a person down, is hidden), a mobile number its network prefix and last four digits.
"""

from __future__ import annotations

import re
import unicodedata


def _mask(text: str, head: int, tail: int) -> str:
    """Keep ``head`` and ``tail`` characters; too short to keep both with something hidden: hide all."""
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail:]


def _clean(value: object) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def mask_id_number(value: object) -> str:
    """``11010519491231002X`` → ``110105********002X``: address code and last four kept."""
    return _mask(_clean(value).upper(), 6, 4)


_PHONE_SEPARATORS = re.compile(r"[\s\-()]")
_COUNTRY_CODE = re.compile(r"^(?:\+|00)?86(?=1\d{10}$)")


def mask_phone(value: object) -> str:
    """``13812345678`` → ``138****5678``; separators and the +86 country code are dropped first."""
    digits = _COUNTRY_CODE.sub("", _PHONE_SEPARATORS.sub("", _clean(value)))
    return _mask(digits, 3, 4)
