"""The vectorised checks accept exactly what the ``core`` parsers accept; batch crypto matches ``core``."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.registry import feedkit
from zhishui.core import crypto
from zhishui.core import identifiers as ids
from zhishui.core.errors import ValidationFailure
from zhishui.core.money import to_money
from zhishui.registry import pii
from zhishui.registry.validate import (
    calendar_ok,
    canonical_decimal,
    canonical_decimal_text,
    id_fast,
    invoice_fast,
    uscc_fast,
)

TODAY = date(2026, 11, 26)


def _accepts(parser, value) -> bool:
    try:
        parser(value)
    except ValidationFailure:
        return False
    return True


uscc_like = st.one_of(
    st.text(alphabet=ids.USCC_ALPHABET + "IOZSV", min_size=17, max_size=17).map(
        lambda b: b + ids.uscc_check_char("".join(c if c in ids.USCC_ALPHABET else "0" for c in b))
    ),
    st.text(alphabet=ids.USCC_ALPHABET, min_size=18, max_size=18),
    st.sampled_from([feedkit.ACME, feedkit.OUTSIDE, "91610303MA6X00001X", ""]),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(uscc_like, min_size=1, max_size=30))
def test_uscc_fast_path_agrees_with_parse_uscc(values):
    fast = uscc_fast(pa.array(values, pa.string()))
    assert fast.tolist() == [_accepts(ids.parse_uscc, v) for v in values]


def _id_body():
    return st.tuples(
        st.sampled_from(["610303", "110105", "810000", "990000", "000000", "330106"]),
        st.dates(min_value=date(1870, 1, 1), max_value=date(2030, 12, 31)),
        st.integers(0, 999),
    ).map(lambda t: f"{t[0]}{t[1]:%Y%m%d}{t[2]:03d}")


id_like = st.one_of(
    _id_body().map(lambda b: b + ids.id_check_char(b)),
    _id_body().flatmap(lambda b: st.sampled_from("0123456789X").map(lambda c: b + c)),
    st.text(alphabet="0123456789X", min_size=18, max_size=18),
    st.sampled_from(["61030319800230123X", "6103031980010112345", feedkit.ZHANG]),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(id_like, min_size=1, max_size=30))
def test_id_fast_path_agrees_with_parse_id_number(values):
    fast = id_fast(pa.array(values, pa.string()), TODAY)
    core = [len(v) == 18 and _accepts(lambda x: ids.parse_id_number(x, today=TODAY), v) for v in values]
    assert fast.tolist() == core


invoice_like = st.one_of(
    st.text(alphabet="0123456789", min_size=20, max_size=20),
    st.tuples(st.integers(15, 99), st.integers(0, 99), st.integers(0, 9), st.integers(0, 10**15 - 1)).map(
        lambda t: f"{t[0]:02d}{t[1]:02d}{t[2]}{t[3]:015d}"
    ),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(invoice_like, min_size=1, max_size=30))
def test_invoice_fast_path_agrees_with_parse_invoice_number(values):
    ok, legacy = invoice_fast(pa.array(values, pa.string()))
    assert not legacy.any()
    assert ok.tolist() == [_accepts(ids.parse_invoice_number, v) for v in values]


def test_legacy_invoice_numbers():
    ok, legacy = invoice_fast(pa.array(["6100221130-01234567", "610022113012-01234567", "61002-1", "x"]))
    assert ok.tolist() == [True, True, False, False] and legacy.tolist() == [True, True, False, False]


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_calendar_accepts_real_dates(d):
    assert calendar_ok(np.array([d.year]), np.array([d.month]), np.array([d.day]))[0]


def test_calendar_refuses_impossible_dates():
    y, m, d = (
        np.array([2023, 2024, 1900, 2000, 2025, 2025]),
        np.array([2, 2, 2, 2, 13, 4]),
        np.array([29, 30, 29, 29, 1, 31]),
    )
    assert calendar_ok(y, m, d).tolist() == [False, False, False, True, False, False]


@given(st.decimals(min_value=-(10**11), max_value=10**11, places=8, allow_nan=False, allow_infinity=False))
def test_canonical_decimal_text_of_arrow_and_python_agree(value):
    text = format(value, "f")
    assert canonical_decimal(pa.array([text])).to_pylist()[0] == canonical_decimal_text(value)


@pytest.mark.parametrize(
    ("given_", "canonical"),
    [
        ("+007.50", "7.5"),
        ("-0", "0"),
        ("-0.000", "0"),
        ("100", "100"),
        ("0.130", "0.13"),
        ("10.", "10"),
        ("-00.5", "-0.5"),
    ],
)
def test_canonical_decimal(given_, canonical):
    assert canonical_decimal(pa.array([given_])).to_pylist() == [canonical]


@given(st.decimals(min_value=-(10**15), max_value=10**15, places=2, allow_nan=False, allow_infinity=False))
def test_money_regex_agrees_with_to_money(value):
    import re

    from zhishui.registry.validate import _MONEY_RE

    text = format(value, "f")
    assert bool(re.match(_MONEY_RE, text)) == _accepts(to_money, text)


@settings(max_examples=50)
@given(st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=20))
def test_batch_encryption_is_read_by_core(values):
    material = pii.key_material()
    assert [crypto.sm4_decrypt(t, material) for t in pii.encrypt_many(values)] == values
    assert pii.blind_index_many(values) == [crypto.blind_index(v, material) for v in values]


def test_every_encryption_has_a_fresh_iv():
    a, b = pii.encrypt_many(["610303198001011234", "610303198001011234"])
    assert a != b and a[:32] != b[:32]
