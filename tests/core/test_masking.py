"""Masking of ID numbers and phone numbers for display."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhishui.core.masking import mask_id_number, mask_phone


@pytest.mark.parametrize(("value", "masked"), [
    ("11010519491231002X", "110105********002X"),
    ("11010519491231002x", "110105********002X"),
    (" 11010519491231002X\n", "110105********002X"),
    ("110105491231002", "110105*****1002"),
    ("123", "***"),
    ("1101051002", "**********"),
    ("", ""),
    (None, ""),
])
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(("value", "masked"), [
    ("13812345678", "138****5678"),
    ("138 1234 5678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("+86 138 1234 5678", "138****5678"),
    ("008613812345678", "138****5678"),
    ("8613812345678", "138****5678"),
    ("029-88881234", "029****1234"),
    ("1234567", "*******"),
    ("", ""),
    (None, ""),
])
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@given(st.text())
def test_masking_reveals_at_most_head_and_tail(text):
    for masked, head, tail in ((mask_id_number(text), 6, 4), (mask_phone(text), 3, 4)):
        shown = len(masked) - masked.count("*")
        assert shown == 0 or shown <= head + tail
        assert shown < len(masked) or masked == ""


@given(st.text("0123456789", min_size=18, max_size=18))
def test_id_mask_keeps_shape(digits):
    masked = mask_id_number(digits)
    assert len(masked) == 18
    assert masked[:6] == digits[:6] and masked[-4:] == digits[-4:] and set(masked[6:14]) == {"*"}
