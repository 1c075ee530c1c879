from functools import cache
from unittest import mock

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from zhishui.core import crypto, sm2


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


# --- SM2 verification on fixed-base tables (core.sm2) ----------------------------------------------------------

def _ref_add(p1, p2):
    """Textbook affine addition with Python ints: the reference the tables are checked against."""
    if p1 is None or p2 is None:
        return p1 or p2
    p = int(sm2.P)
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % p == 0:
        return None
    if p1 == p2:
        lam = (3 * x1 * x1 + int(sm2.A)) * pow(2 * y1, -1, p) % p
    else:
        lam = (y2 - y1) * pow(x2 - x1, -1, p) % p
    x3 = (lam * lam - x1 - x2) % p
    return x3, (lam * (x1 - x3) - y1) % p


def _ref_mul(k, point=(int(sm2.GX), int(sm2.GY))):
    result = None
    for bit in bin(k)[2:]:
        result = _ref_add(result, result)
        if bit == "1":
            result = _ref_add(result, point)
    return result


def _ref_x(k):
    point = _ref_mul(k % sm2.N)
    return None if point is None else point[0]


@cache
def _pool_key(i: int):
    """A few random key pairs per run, each with its table (a table takes ~50 ms, so not one per example)."""
    private, public = crypto.sm2_generate_keypair()
    table = sm2.build_table(int.from_bytes(public[:32], "big"), int.from_bytes(public[32:], "big"))
    return private, public, table


def _fast(public: bytes, table, message: bytes, signature: bytes) -> bool:
    """``crypto.sm2_verify(..., fixed_key=True)`` with the key's table in place, asserting the table path ran."""
    with mock.patch.dict(sm2._tables, {public: table}, clear=True), \
            mock.patch.object(sm2, "verify", wraps=sm2.verify) as table_verify:
        result = crypto.sm2_verify(public, message, signature, fixed_key=True)
    assert table_verify.call_count == 1
    return result


# GM/T 0003.5-2012's signature example on the recommended curve (as reproduced by several SM2 libraries'
# tests; GB/T 32918.2 Annex A uses another curve): key d, Z_A, e = SM3(Z_A ‖ "message digest"), (r, s).
KAT_D = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
KAT_PUBLIC = bytes.fromhex("09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
                           "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13")
KAT_Z = "b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3"
KAT_E = "f0b43e94ba45accaace692ed534382eb17e6ab5a19ce7b31f4486fdfc0d28640"
KAT_R = 0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3
KAT_S = 0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA


def test_sm2_known_answer_vector():
    table = sm2.build_table(int.from_bytes(KAT_PUBLIC[:32], "big"), int.from_bytes(KAT_PUBLIC[32:], "big"))
    assert sm2.mul_add_x(sm2.generator_table(), KAT_D, table, 0) == int.from_bytes(KAT_PUBLIC[:32], "big")
    assert crypto._sm2_z(KAT_PUBLIC).hex() == KAT_Z
    assert crypto._sm3(crypto._sm2_z(KAT_PUBLIC) + b"message digest").hex() == KAT_E
    signature = encode_dss_signature(KAT_R, KAT_S)
    assert sm2.verify(table, int(KAT_E, 16), KAT_R, KAT_S) is True
    assert _fast(KAT_PUBLIC, table, b"message digest", signature) is True
    assert crypto.sm2_verify(KAT_PUBLIC, b"message digest", signature) is True  # gmssl-pyx agrees
    assert _fast(KAT_PUBLIC, table, b"message digesT", signature) is False
    assert sm2.verify(table, int(KAT_E, 16), KAT_R, KAT_S + 1) is False


def test_sm2_table_multiplication_equal_points_and_infinity():
    g = sm2.generator_table()
    assert sm2.mul_add_x(g, 5, g, 5) == _ref_x(10)  # the running sum equals the addend: the doubling branch
    assert sm2.mul_add_x(g, 0x0305, g, 0x0305) == _ref_x(0x060A)
    assert sm2.mul_add_x(g, 5, g, sm2.N - 5) is None  # P + (−P) as the last addition
    assert sm2.mul_add_x(g, sm2.N - 5, g, 5 + (7 << 8)) == _ref_x(7 << 8)  # infinity midway, then more
    assert sm2.mul_add_x(g, 0, g, 0) is None
    assert sm2.mul_add_x(g, 1, g, 0) == int(sm2.GX)
    assert sm2.mul_add_x(g, sm2.N - 1, g, 0) == int(sm2.GX)  # −G has G's x


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**256 - 1), st.integers(0, 2**256 - 1))
def test_sm2_table_multiplication_matches_the_textbook(k1, k2):
    g = sm2.generator_table()
    assert sm2.mul_add_x(g, k1, g, k2) == _ref_x(k1 + k2)


MUTATIONS = ["valid", "r+delta", "s+delta", "r-delta", "s-delta", "digest", "r=0", "s=0", "r=n", "s=n", "r+n",
             "s+n", "r=max", "t=0"]


def _mutate(r: int, s: int, how: str, delta: int) -> tuple[int, int]:
    n = sm2.N
    return {"valid": (r, s), "r+delta": ((r + delta) % n, s), "s+delta": (r, (s + delta) % n),
            "r-delta": ((r - delta) % n, s), "s-delta": (r, (s - delta) % n), "digest": (r, s),
            "r=0": (0, s), "s=0": (r, 0), "r=n": (n, s), "s=n": (r, n), "r+n": (r + n, s), "s+n": (r, s + n),
            "r=max": (2**256 - 1, s), "t=0": (r, n - r)}[how]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 3), st.binary(max_size=200), st.sampled_from(MUTATIONS), st.integers(1, sm2.N - 1))
def test_sm2_table_verifier_agrees_with_gmssl(key, message, how, delta):
    private, public, table = _pool_key(key)
    r0, s0 = crypto.decode_dss_signature(crypto.sm2_sign(private, public, message))
    r, s = _mutate(r0, s0, how, delta)
    signature = encode_dss_signature(r, s)
    checked = message + b"x" if how == "digest" else message
    expected = how == "valid"
    assert crypto.sm2_verify(public, checked, signature) is expected  # gmssl-pyx (gmalg off x86_64)
    assert _fast(public, table, checked, signature) is expected


def _gmssl_digest(public: bytes, e: int, r: int, s: int) -> bool:
    gmssl = pytest.importorskip("gmssl_pyx")
    try:
        return bool(gmssl.sm2_verify_sm3_digest(public, e.to_bytes(32, "big"), encode_dss_signature(r, s)))
    except Exception:
        return False


def _crafted(k: int, s: int, e: int):
    """A key for which (r, s) is a valid signature of the digest e, s chosen: the signing equation
    s = (1 + d)⁻¹ (k − r·d) mod n (GB/T 32918.2 §6.1) solved for d, with r = (e + x(k·G)) mod n."""
    n = sm2.N
    r = (e + _ref_mul(k)[0]) % n
    assume(r and (s + r) % n)
    d = (k - s) * pow(s + r, -1, n) % n
    assume(1 <= d <= n - 2)
    x, y = _ref_mul(d)
    return x.to_bytes(32, "big") + y.to_bytes(32, "big"), sm2.build_table(x, y), r


@settings(max_examples=12, deadline=None)
@given(st.integers(1, sm2.N - 1), st.integers(1, 2**256 - sm2.N - 1), st.integers(0, 2**256 - 1))
def test_sm2_table_verifier_on_crafted_signatures(k, s, e):
    # s < 2^256 − n, so s + n still fits 32 bytes and names the same point: only the range rule rejects it.
    public, table, r = _crafted(k, s, e)
    assert _gmssl_digest(public, e, r, s) is True
    assert sm2.verify(table, e, r, s) is True
    assert _gmssl_digest(public, e, r, s + sm2.N) is False
    assert sm2.verify(table, e, r, s + sm2.N) is False
    assert sm2.verify(table, e, r + sm2.N, s) is False


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 3), st.integers(1, sm2.N - 1), st.sampled_from(["t=0", "r=0", "s=0"]))
def test_sm2_table_verifier_boundary_rules(key, v, rule):
    # (r, s) breaks one rule of §7.1 and e is chosen so that (e + x1) mod n = r holds with x1 from
    # s·G + t·P as computed without that rule: only the rule itself rejects the signature.
    _private, public, table = _pool_key(key)
    point = (int.from_bytes(public[:32], "big"), int.from_bytes(public[32:], "big"))
    r, s = {"t=0": (sm2.N - v, v), "r=0": (0, v), "s=0": (v, 0)}[rule]
    x1 = _ref_add(_ref_mul(s), _ref_mul((r + s) % sm2.N, point))[0]
    e = (r - x1) % sm2.N
    assert _gmssl_digest(public, e, r, s) is False
    assert sm2.verify(table, e, r, s) is False


def test_sm2_fixed_key_rejects_bad_keys_and_signatures(monkeypatch):
    monkeypatch.setattr(sm2, "_tables", {})
    private, public = crypto.sm2_generate_keypair()
    signature = crypto.sm2_sign(private, public, b"m")
    assert crypto.sm2_verify(public, b"m", signature, fixed_key=True) is True
    assert not crypto.sm2_verify(public, b"m", b"not a signature", fixed_key=True)
    assert not crypto.sm2_verify(public, b"m", signature + b"\x00", fixed_key=True)
    off_curve = public[:32] + ((int.from_bytes(public[32:], "big") + 1) % int(sm2.P)).to_bytes(32, "big")
    assert not crypto.sm2_verify(off_curve, b"m", signature, fixed_key=True)
    assert not crypto.sm2_verify(b"short", b"m", signature, fixed_key=True)
    with pytest.raises(ValueError):
        sm2.build_table(1, 1)
    assert list(sm2._tables) == [public]  # no table for what is not a key


def test_sm2_fixed_key_tables_are_bounded(monkeypatch):
    # Beyond MAX_KEYS tables a process verifies the slow way instead of building (and evicting) tables.
    monkeypatch.setattr(sm2, "_tables", {})
    monkeypatch.setattr(sm2, "MAX_KEYS", 1)
    keys = [crypto.sm2_generate_keypair() for _ in range(2)]
    for private, public in keys:
        signature = crypto.sm2_sign(private, public, b"m")
        assert crypto.sm2_verify(public, b"m", signature, fixed_key=True) is True
        assert crypto.sm2_verify(public, b"n", signature, fixed_key=True) is False
    assert list(sm2._tables) == [keys[0][1]]
