"""The platform's SM2 signing keys: generated on first use, stored SM4-encrypted, rotatable.

The private key is encrypted with SM4 under key material from the settings
(``ZHISHUI_SIGNING_KEY_SECRET``, or the installation's secret key when that is empty). Rotation
creates a new active key and retires the old one; retired keys remain for verification, so every
invoice names the key (``key_id``) that signed it.

What is signed is the 32-byte SM3 digest of the invoice's canonical content; the signature is
SM2 with SM3 and the default user identifier (GB/T 32918), DER-encoded. A third party holding the
issue receipt (number, time, digest, signature, key id) and the published public key can check
the signature without anything else.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhishui import config
from zhishui.core import audit
from zhishui.core.crypto import sm2_generate_keypair, sm2_sign, sm2_verify, sm3_hex, sm4_decrypt, sm4_encrypt

from .models import SigningKey

_lock = threading.Lock()
_private: dict[str, bytes] = {}


def _key_material() -> str:
    return config.get("ZHISHUI_SIGNING_KEY_SECRET") or settings.SECRET_KEY


def _new_key(now) -> SigningKey:
    private, public = sm2_generate_keypair()
    key_id = f"SM2-{timezone.localtime(now):%Y%m%d}-{sm3_hex(public)[:8]}"
    return SigningKey(key_id=key_id, public_key=public.hex(),
                      private_key_enc=sm4_encrypt(private.hex(), _key_material()), created_at=now, active=True)


def active_key() -> SigningKey:
    """The key that signs new invoices; the first call on a fresh installation generates it."""
    key = SigningKey.objects.filter(active=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            key = _new_key(timezone.now())
            key.save(force_insert=True)
            audit.record("invoice.key_generated", object_type="signing_key", object_id=key.key_id,
                         detail={"public_key": key.public_key})
    except IntegrityError:  # another process generated it at the same moment
        key = SigningKey.objects.get(active=True)
    return key


_keys: dict[str, SigningKey] = {}


def key_by_id(key_id: str) -> SigningKey:
    """A key row by id, remembered (key rows never change except ``active``, which signing does not read)."""
    key = _keys.get(key_id)
    if key is None:
        key = SigningKey.objects.get(key_id=key_id)
        _keys[key_id] = key
    return key


def private_key(key: SigningKey) -> bytes:
    cached = _private.get(key.key_id)
    if cached is None:
        with _lock:
            cached = bytes.fromhex(sm4_decrypt(key.private_key_enc, _key_material()))
            _private[key.key_id] = cached
    return cached


def sign_digest(key: SigningKey, digest_hex: str) -> str:
    return sm2_sign(private_key(key), bytes.fromhex(key.public_key), bytes.fromhex(digest_hex)).hex()


@lru_cache(maxsize=256)
def public_key(key_id: str) -> bytes | None:
    row = SigningKey.objects.filter(key_id=key_id).values_list("public_key", flat=True).first()
    return bytes.fromhex(row) if row else None


def verify_digest(key_id: str, digest_hex: str, signature_hex: str) -> bool:
    """Whether ``signature_hex`` is the platform key ``key_id``'s signature of the digest, checked on every call.

    Only keys of the platform's own table get here, so each is verified on its precomputed tables
    (``fixed_key``, ~0.2 ms); an unknown key id is simply not valid."""
    key = public_key(key_id)
    if key is None:
        return False
    try:
        return sm2_verify(key, bytes.fromhex(digest_hex), bytes.fromhex(signature_hex), fixed_key=True)
    except ValueError:  # not hex
        return False


def rotate(*, actor=None, request=None, reason: str = "") -> SigningKey:
    """Generate a new active key and retire the current one (kept for verification)."""
    now = timezone.now()
    with transaction.atomic():
        current = list(SigningKey.objects.select_for_update().filter(active=True))
        SigningKey.objects.filter(active=True).update(active=False, retired_at=now)
        key = _new_key(now)
        key.save(force_insert=True)
        audit.record("invoice.key_rotated", actor=actor, request=request, object_type="signing_key",
                     object_id=key.key_id, reason=reason,
                     detail={"retired": [k.key_id for k in current], "public_key": key.public_key})
    return key


def published_keys() -> list[dict]:
    return [{"key_id": k.key_id, "algorithm": "SM2/SM3", "public_key": k.public_key, "active": k.active,
             "created_at": k.created_at.isoformat(), "retired_at": k.retired_at.isoformat() if k.retired_at else None}
            for k in SigningKey.objects.order_by("created_at")]
