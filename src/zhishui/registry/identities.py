"""Taxpayer identities: every identifier a feed names becomes one ``Taxpayer`` row, found again by key.

The key is the identifier for USCCs and unit numbers and the blind index for identifiers that
contain an ID number, which are stored encrypted only. Parties first seen in invoices or
transactions (counterparties outside the district) are kept as identities with only the
identifier and, where a feed gives one, a name.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings

from zhishui.core import masking

from . import dbwrite, pii
from .models import Taxpayer

TABLE = Taxpayer._meta.db_table


def key_for(identifier: str, personal: bool) -> str:
    return pii.blind_index(identifier) if personal else identifier


def in_district(identifier: str, kind: str) -> bool:
    """A USCC whose registration authority (characters 3–8) is the district's, or a unit number of it."""
    district = settings.ZHISHUI_DISTRICT
    if kind == "uscc":
        return identifier[2:8] == district
    if kind == "legacy_taxpayer_no" and len(identifier) in (15, 18):
        return identifier[:6] == district
    return False


def resolve(canon: pa.Array, kinds: np.ndarray, personal: np.ndarray, load_id: int,
            names: pa.Array | None = None) -> tuple[pa.Array, list[str]]:
    """Taxpayer ids (nulls where the identifier is empty) and the keys, creating missing identities."""
    canon = canon.combine_chunks() if isinstance(canon, pa.ChunkedArray) else canon
    encoded = pc.dictionary_encode(canon)
    uniques: list[str] = encoded.dictionary.to_pylist()
    indices = encoded.indices
    if not uniques:
        return pa.nulls(len(canon), pa.int64()), []
    idx_np = pc.fill_null(indices, -1).to_numpy(zero_copy_only=False)
    # The kind and personal flag of each unique identifier (first row that has it).
    first = np.full(len(uniques), -1, dtype=np.int64)
    valid_rows = np.nonzero(idx_np >= 0)[0]
    order = valid_rows[np.argsort(idx_np[valid_rows], kind="stable")]
    codes = idx_np[order]
    starts = np.concatenate([[True], codes[1:] != codes[:-1]]) if len(codes) else np.zeros(0, bool)
    first[codes[starts]] = order[starts]
    u_kind = [str(kinds[r]) for r in first.tolist()]
    u_personal = [bool(personal[r]) for r in first.tolist()]
    name_list = None
    if names is not None:
        name_all = names.combine_chunks() if isinstance(names, pa.ChunkedArray) else names
        name_list = name_all.take(pa.array(first)).to_pylist()
    personal_values = [v for v, p in zip(uniques, u_personal, strict=True) if p]
    blind = iter(pii.blind_index_many(personal_values))
    keys = [next(blind) if p else v for v, p in zip(uniques, u_personal, strict=True)]
    found = dict(dbwrite.select_in(f'SELECT "key", "id" FROM "{TABLE}"', '"key"', keys))  # noqa: S608
    missing = [i for i, k in enumerate(keys) if k not in found]
    if missing:
        start = dbwrite.allocate_ids(TABLE, len(missing))
        ids = list(range(start, start + len(missing)))
        values = [uniques[i] for i in missing]
        pers = [u_personal[i] for i in missing]
        plain = [v if not p else "" for v, p in zip(values, pers, strict=True)]
        encrypted = iter(pii.encrypt_many([v for v, p in zip(values, pers, strict=True) if p]))
        enc = [next(encrypted) if p else "" for p in pers]
        masked = [masking.mask_id_number(v) if p else "" for v, p in zip(values, pers, strict=True)]
        dbwrite.insert(TABLE, ["id", "key", "id_kind", "personal", "tax_id", "tax_id_enc", "tax_id_masked", "name",
                               "in_district", "first_load_id"],
                       [ids, [keys[i] for i in missing], [u_kind[i] for i in missing], pers, plain, enc, masked,
                        [(name_list[i] or "")[:200] if name_list else "" for i in missing],
                        [in_district(uniques[i], u_kind[i]) for i in missing], [load_id] * len(missing)])
        dbwrite.finish_ids(TABLE)
        for i, new_id in zip(missing, ids, strict=True):
            found[keys[i]] = new_id
    id_of_unique = np.array([found[k] for k in keys], dtype=np.int64)
    out = id_of_unique[np.where(idx_np >= 0, idx_np, 0)]
    return pa.array(out, pa.int64(), mask=idx_np < 0), keys
