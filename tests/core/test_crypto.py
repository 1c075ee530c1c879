import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhishui.core import crypto


def test_sm3_standard_vector():
    # GB/T 32905-2016 appendix A.1: SM3("abc")
    assert crypto.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm4_round_trip_and_random_iv():
    a = crypto.sm4_encrypt("11010519491231002X", "secret")
    b = crypto.sm4_encrypt("11010519491231002X", "secret")
    assert a != b
    assert crypto.sm4_decrypt(a, "secret") == crypto.sm4_decrypt(b, "secret") == "11010519491231002X"
    with pytest.raises(ValueError):
        crypto.sm4_decrypt(a, "other key")


def test_blind_index_is_stable_and_keyed():
    assert crypto.blind_index("x", "k1") == crypto.blind_index("x", "k1") != crypto.blind_index("x", "k2")


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=300))
def test_sm2_sign_verify(message):
    private, public = crypto.sm2_generate_keypair()
    signature = crypto.sm2_sign(private, public, message)
    assert crypto.sm2_verify(public, message, signature)
    assert not crypto.sm2_verify(public, message + b"x", signature)


def test_sm2_fallback_agrees_with_gmssl():
    gmalg = pytest.importorskip("gmalg")
    private, public = crypto.sm2_generate_keypair()
    signature = crypto.sm2_sign(private, public, "发票".encode())
    r, s = crypto.decode_dss_signature(signature)
    assert gmalg.SM2(uid=crypto.SM2_DEFAULT_UID, pk=b"\x04" + public).verify(
        "发票".encode(), r.to_bytes(32, "big"), s.to_bytes(32, "big"))


def test_sm2_rejects_garbage_signatures():
    _, public = crypto.sm2_generate_keypair()
    assert not crypto.sm2_verify(public, b"m", b"not a signature")
    assert not crypto.sm2_verify(b"short", b"m", b"\x30\x00")
