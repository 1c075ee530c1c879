"""Personal identifiers in the registry: encrypted at rest, looked up by blind index, shown masked.

Key material: a dedicated random key in ``<VAR_DIR>/pii_key`` (mode 0600), made on first use,
not ``SECRET_KEY``. The secret key signs sessions and may be rotated after a leak without
consequence for stored data; rotating the personal-data key would make every stored ID number
unreadable and every blind index useless, so the two are kept apart. Back the file up with the
database; every server of one installation needs the same file (see
docs/decisions/0004-registry-data-exchange.md, "Personal data").

Encryption, blind index and masking are the ``core`` helpers (``core.crypto``, ``core.masking``);
this module only supplies the key and applies them to batches of values.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import cache
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

from zhishui.core import crypto, masking


@cache
def _material(path: str) -> str:
    file = Path(path)
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
    return file.read_text().strip()


def key_material() -> str:
    return _material(str(Path(settings.VAR_DIR) / "pii_key"))


@cache
def _row_hash_key(material: str) -> bytes:
    return bytes.fromhex(crypto.sm3_hex(("zhishui-row-hash:" + material).encode()))[:32]


def row_hash_key() -> bytes:
    """Key of the row hashes: keyed, so a hash over a row with an ID number cannot be brute-forced."""
    return _row_hash_key(key_material())


def encrypt(value: str) -> str:
    return crypto.sm4_encrypt(value, key_material())


def decrypt(token: str) -> str:
    return crypto.sm4_decrypt(token, key_material()) if token else ""


def blind_index(value: str) -> str:
    return crypto.blind_index(value, key_material())


@cache
def _keys(material: str) -> tuple[bytes, bytes]:
    """(SM4 key, blind-index key) exactly as ``core.crypto`` derives them from the key material."""
    key = crypto._sm4_key(material)
    return key, key


def blind_index_many(values: list[str]) -> list[str]:
    """``core.crypto.blind_index`` of each value, with the key derived once (a test checks equality)."""
    _sm4, key = _keys(key_material())
    b2 = hashlib.blake2b
    return [b2(v.encode(), key=key, digest_size=20).hexdigest() for v in values]


def encrypt_many(values: list[str]) -> list[str]:
    """``core.crypto.sm4_encrypt`` of each value (SM4-CBC, random IV, hex(iv + ciphertext)), in batch.

    CBC chains blocks within one value only, so block j of every value is encrypted in one ECB call
    over the whole batch: C₁ = E(P₁ ⊕ IV), Cⱼ = E(Pⱼ ⊕ Cⱼ₋₁). ``core.crypto.sm4_decrypt`` reads the
    result (a test round-trips it); a value costs ~1 µs instead of ~10 µs.
    """
    if not values:
        return []
    key, _bidx = _keys(key_material())
    data = [v.encode() for v in values]
    padded = [d + bytes([16 - len(d) % 16]) * (16 - len(d) % 16) for d in data]  # PKCS#7
    blocks = np.array([len(p) // 16 for p in padded])
    width = int(blocks.max())
    plain = np.zeros((len(values), width * 16), dtype=np.uint8)
    for i, p in enumerate(padded):
        plain[i, : len(p)] = np.frombuffer(p, dtype=np.uint8)
    ivs = np.frombuffer(os.urandom(16 * len(values)), dtype=np.uint8).reshape(len(values), 16)
    cipher = np.zeros_like(plain)
    previous = ivs
    # ECB of single blocks is the building block of the CBC chain above, not the mode of the result.
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305
    for j in range(width):
        rows = np.nonzero(blocks > j)[0]
        block = plain[rows, j * 16:(j + 1) * 16] ^ previous[rows]
        out = np.frombuffer(encryptor.update(block.tobytes()), dtype=np.uint8).reshape(len(rows), 16)
        cipher[rows, j * 16:(j + 1) * 16] = out
        nxt = previous.copy()
        nxt[rows] = out
        previous = nxt
    return [(ivs[i].tobytes() + cipher[i, : blocks[i] * 16].tobytes()).hex() for i in range(len(values))]


def protect_ids(values: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(ciphertexts, blind indexes, masked forms) of ID numbers (or ID-based taxpayer numbers)."""
    return encrypt_many(values), blind_index_many(values), [masking.mask_id_number(v) for v in values]


def protect_phones(values: list[str | None]) -> tuple[list[str], list[str]]:
    present = [v for v in values if v]
    enc = iter(encrypt_many(present))
    return ([next(enc) if v else "" for v in values], [masking.mask_phone(v) if v else "" for v in values])


def keyed_hashes(values: list[str]) -> np.ndarray:
    """Keyed 64-bit BLAKE2b of each value (uint64), for the row hash of text columns."""
    key = row_hash_key()
    b2 = hashlib.blake2b
    return np.array([int.from_bytes(b2(v.encode(), digest_size=8, key=key).digest(), "little") for v in values],
                    dtype=np.uint64)
