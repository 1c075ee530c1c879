"""SM2 signature verification for a few recurring public keys, with fixed-base tables.

GB/T 32918.2-2016 §7.1: for the digest e = SM3(Z ‖ M) and the signature (r, s), require 1 ≤ r, s ≤ n−1 and
t = (r + s) mod n ≠ 0, compute (x1, y1) = s·G + t·P_A; the signature is valid iff (e + x1) mod n = r.

G and the platform's own keys never change, so each gets a table of 32 windows × 256 affine points
(``table[i][j] = j·2^(8i)·Q``, built once per process: ~45 ms and ~1.1 MB per point). A scalar
multiplication is then one table look-up per byte of the scalar and at most 32 mixed Jacobian + affine
additions, no doublings: about 0.18 ms per verification with gmpy2 (0.39 ms with Python ints), against
0.75–0.95 ms in gmssl-pyx (docs/decisions/0010-sm2-verification-tables.md).

Only verification uses this: everything here is public (key, digest, signature), so variable-time
arithmetic leaks nothing. Signing stays on gmssl-pyx (``crypto.sm2_sign``): with this arithmetic the time
of a signature would depend on the private key and the nonce. Use it only through ``crypto.sm2_verify(...,
fixed_key=True)``, and only for keys the platform holds: a table per unknown key would cost its
construction on every new key an outsider sends.
"""

from __future__ import annotations

import threading

from gmpy2 import invert, mpz

P = mpz(0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF)
A = P - 3
B = mpz(0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93)
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX = mpz(0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7)
GY = mpz(0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0)

# Tables are kept for at most this many keys per process (the platform has one active key and the keys it
# retired). Beyond it, ``key_table`` answers None and the caller verifies the slow way, so no sequence of
# requests can make a process build tables over and over.
MAX_KEYS = 16

Point = tuple  # affine (x, y) as mpz; None is the point at infinity
Table = list  # 32 rows of 256 points, row i holding j·2^(8i)·Q for j = 0…255 (entry 0 unused)


def _affine_add(p1: Point | None, p2: Point | None) -> Point | None:
    # One inversion per addition: fine for building tables, too slow for verifying.
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2:
        if (y1 + y2) % P == 0:
            return None
        lam = (3 * x1 * x1 + A) * invert(2 * y1, P) % P
    else:
        lam = (y2 - y1) * invert(x2 - x1, P) % P
    x3 = (lam * lam - x1 - x2) % P
    return x3, (lam * (x1 - x3) - y1) % P


def on_curve(x: int, y: int) -> bool:
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x + A * x + B)) % P == 0


def build_table(x: int, y: int) -> Table:
    """The 32 × 256 multiples of (x, y); ValueError if it is not a point of the curve."""
    if not on_curve(x, y):
        raise ValueError("not a point of the SM2 curve")
    rows, base = [], (mpz(x), mpz(y))
    for _ in range(32):
        row, acc = [None], None
        for _j in range(255):
            acc = _affine_add(acc, base)
            row.append(acc)
        rows.append(row)
        base = _affine_add(acc, base)  # 256 · base: the next window's unit
    return rows


_G_TABLE: list[Table] = []
_tables: dict[bytes, Table] = {}
_lock = threading.Lock()


def generator_table() -> Table:
    if not _G_TABLE:
        with _lock:
            if not _G_TABLE:
                _G_TABLE.append(build_table(GX, GY))
    return _G_TABLE[0]


def key_table(public_key: bytes) -> Table | None:
    """The table of a 64-byte public key x ‖ y, built on first use; None once ``MAX_KEYS`` tables exist."""
    table = _tables.get(public_key)
    if table is None:
        with _lock:  # one build per key even when several threads ask at once
            table = _tables.get(public_key)
            if table is None:
                if len(_tables) >= MAX_KEYS:
                    return None
                if len(public_key) != 64:
                    raise ValueError("an SM2 public key is 64 bytes x ‖ y")
                table = _tables[public_key] = build_table(int.from_bytes(public_key[:32], "big"),
                                                          int.from_bytes(public_key[32:], "big"))
    return table


def _double(x1, y1, z1):
    # Jacobian doubling for a = −3 (dbl-2001-b); only reached when an addend equals the running sum.
    delta = z1 * z1 % P
    gamma = y1 * y1 % P
    beta = x1 * gamma % P
    alpha = 3 * (x1 - delta) * (x1 + delta) % P
    x3 = (alpha * alpha - 8 * beta) % P
    z3 = ((y1 + z1) ** 2 - gamma - delta) % P
    y3 = (alpha * (4 * beta - x3) - 8 * gamma * gamma) % P
    return x3, y3, z3


def mul_add_x(table1: Table, k1: int, table2: Table, k2: int) -> int | None:
    """The affine x of k1·Q1 + k2·Q2 (0 ≤ k < 2^256) from the two points' tables; None for the point at infinity."""
    x = y = z = None  # running sum in Jacobian coordinates; z None: the point at infinity
    for table, k in ((table1, k1), (table2, k2)):
        for row, digit in zip(table, k.to_bytes(32, "little"), strict=True):
            if not digit:
                continue
            x2, y2 = row[digit]
            if z is None:
                x, y, z = x2, y2, mpz(1)
                continue
            # Mixed addition (Jacobian + affine): U2 = x2·Z², S2 = y2·Z³, H = U2 − X, R = S2 − Y.
            zz = z * z % P
            h = (x2 * zz - x) % P
            r = (y2 * z * zz - y) % P
            if not h:
                if r:  # Q + (−Q)
                    x = y = z = None
                else:  # Q + Q: the addition formula divides by zero here
                    x, y, z = _double(x, y, z)
                    if not z:
                        x = y = z = None
                continue
            hh = h * h % P
            hhh = h * hh % P
            v = x * hh % P
            x3 = (r * r - hhh - 2 * v) % P
            y = (r * (v - x3) - y * hhh) % P
            z = z * h % P
            x = x3
    if z is None:
        return None
    zi = invert(z, P)
    return int(x * zi * zi % P)


def verify(table: Table, e: int, r: int, s: int) -> bool:
    """GB/T 32918.2 §7.1 B1–B7 for the digest e and the signature (r, s), the public key given by its table."""
    if not (1 <= r < N and 1 <= s < N):
        return False
    t = (r + s) % N
    if t == 0:
        return False
    x1 = mul_add_x(generator_table(), s, table, t)
    return x1 is not None and (e + x1) % N == r
