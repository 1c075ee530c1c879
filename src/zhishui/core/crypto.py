"""National cryptography (SM2/SM3/SM4) behind one adapter.

SM3 and SM4 come from ``cryptography`` (OpenSSL). SM2 signatures use gmssl-pyx where its wheel
exists (x86_64) and the pure-Python gmalg elsewhere; both are used through ``sm2_sign`` and
``sm2_verify`` only, so callers never see which one ran.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _sm4_key(key_material: str) -> bytes:
    # SM4 takes a 128-bit key; derive it from the installation secret with SM3 so the same
    # secret always yields the same key and no raw secret is used as a key directly.
    return bytes.fromhex(sm3_hex(("zhishui-sm4:" + key_material).encode()))[:16]


def sm4_encrypt(plaintext: str, key_material: str) -> str:
    """SM4-CBC with a random IV; returns hex(iv + ciphertext)."""
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(plaintext.encode()) + padder.finalize()
    enc = Cipher(algorithms.SM4(_sm4_key(key_material)), modes.CBC(iv)).encryptor()
    return (iv + enc.update(data) + enc.finalize()).hex()


def sm4_decrypt(token: str, key_material: str) -> str:
    raw = bytes.fromhex(token)
    iv, body = raw[:16], raw[16:]
    dec = Cipher(algorithms.SM4(_sm4_key(key_material)), modes.CBC(iv)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    data = unpadder.update(dec.update(body) + dec.finalize()) + unpadder.finalize()
    return data.decode()


def blind_index(value: str, key_material: str) -> str:
    """Keyed digest of a personal identifier, so encrypted values can still be looked up exactly."""
    return hashlib.blake2b(value.encode(), key=_sm4_key(key_material), digest_size=20).hexdigest()
