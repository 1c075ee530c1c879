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


def blind_index_many(values: list[str]) -> list[str]:
    return crypto.blind_index_many(values, key_material())


def encrypt_many(values: list[str]) -> list[str]:
    return crypto.sm4_encrypt_many(values, key_material())


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
