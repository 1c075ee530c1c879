"""Residents: valid GB 11643-1999 ID numbers with the district's region codes and plausible births.

Bodies (region code, birth date, sequence with the sex parity) are drawn as arrays; the check
character comes from ``zhishui.core.identifiers.id_check_char`` so generated numbers are valid by
the same rule the importer applies.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from zhishui.core import regions
from zhishui.core.errors import ValidationFailure
from zhishui.core.identifiers import id_check_char

from . import names
from .world import Columns, World

# Districts people come from when they were not born in the configured district.
_ELSEWHERE = ("610102", "610113", "610116", "610402", "610502", "611002", "620102", "620502", "620802",
              "621102", "410102", "410302", "140105", "510104", "500103", "640104", "130102", "370102")


@cache
def _siblings(district: str) -> tuple[str, ...]:
    """Other county-level divisions of the district's city."""
    out = []
    for n in range(1, 40):
        code = f"{district[:4]}{n:02d}"
        if code == district:
            continue
        try:
            if regions.resolve(code).level == regions.DISTRICT:
                out.append(code)
        except ValidationFailure:
            continue
    return tuple(out)


@cache
def _elsewhere() -> tuple[str, ...]:
    out = []
    for code in _ELSEWHERE:
        try:
            regions.resolve(code)
        except ValidationFailure:
            continue
        out.append(code)
    return tuple(out)


def init_persons(world: World) -> None:
    world.persons = Columns(id=np.array([], dtype="U18"), name=np.array([], dtype="U8"),
                            region=np.array([], dtype="U9"), phone=np.array([], dtype="U13"),
                            male=np.array([], dtype=bool), birth=np.array([], dtype=np.int32))
    world.results["id17"] = set()


def make_persons(world: World, n: int, stream: str, *, ages: tuple[int, int] = (22, 62),
                 male_share: float = 0.55, local_share: float = 0.78, surname: str | None = None,
                 phone: str | None = None) -> np.ndarray:
    """Create ``n`` residents; returns their indices in ``world.persons``."""
    if n <= 0:
        return np.array([], dtype=np.int64)
    rng = world.rng(f"persons:{stream}")
    male = rng.random(n) < male_share
    r = rng.random(n)
    siblings = _siblings(world.district_code) or (world.district_code,)
    elsewhere = _elsewhere()
    region6 = np.where(r < local_share, world.district_code,
                       np.where(r < local_share + (1 - local_share) * 0.45, rng.choice(siblings, size=n),
                                rng.choice(elsewhere, size=n)))
    lo, hi = ages
    age_days = (rng.triangular(lo, (lo + hi) / 2, hi, size=n) * 365.25).astype(np.int64)
    birth = world.as_of_day - age_days
    births = np.datetime_as_string(birth.astype("datetime64[D]"), unit="D")
    births = np.char.replace(births, "-", "")
    seq = rng.integers(1, 500, size=n) * 2 + male.astype(np.int64) - 1
    seq = np.where(seq < 1, seq + 2, seq)
    first17 = np.char.add(np.char.add(region6.astype("U6"), births), np.char.zfill(seq.astype(str), 3))
    used: set[str] = world.results["id17"]
    out17 = first17.tolist()
    for i, body in enumerate(out17):
        bump = 0
        while body in used:  # a clash: move the sequence on, keeping the sex parity
            bump += 2
            s = (int(body[14:17]) + bump) % 1000
            s = s if s % 2 == int(male[i]) else (s + 1) % 1000
            body = body[:14] + f"{s:03d}"
        used.add(body)
        out17[i] = body
    ids = np.array([b + id_check_char(b) for b in out17], dtype="U18")
    person_names = names.person_names(rng, male)
    if surname:
        person_names = np.array([surname + s[1:] for s in person_names.tolist()])
    towns = np.array([t.code for t in world.townships])
    residence = np.where(rng.random(n) < 0.93, rng.choice(towns, size=n), region6)
    phones = names.mobiles(rng, n) if phone is None else np.full(n, phone)
    return world.persons.append(id=ids, name=person_names, region=residence, phone=phones, male=male,
                                birth=birth.astype(np.int32))


def init_relations(world: World) -> None:
    world.relations = Columns(person=np.array([], dtype=np.int64), entity=np.array([], dtype=np.int64),
                              role=np.array([], dtype=np.int8), share_bp=np.array([], dtype=np.int32),
                              start=np.array([], dtype=np.int32), end=np.array([], dtype=np.int32),
                              wage=np.array([], dtype=np.int64))


ROLES = ("legal_rep", "shareholder", "finance", "tax_agent", "employee")
LEGAL_REP, SHAREHOLDER, FINANCE, TAX_AGENT, EMPLOYEE = range(5)


def relate(world: World, person, entity, role, start, end=-1, share_bp=-1, wage=0) -> None:
    person = np.atleast_1d(np.asarray(person, dtype=np.int64))
    n = len(person)

    def full(v, dtype):
        a = np.asarray(v, dtype=dtype)
        return np.full(n, a, dtype=dtype) if a.ndim == 0 else a

    world.relations.append(person=person, entity=full(entity, np.int64), role=full(role, np.int8),
                           share_bp=full(share_bp, np.int32), start=full(start, np.int32),
                           end=full(end, np.int32), wage=full(wage, np.int64))
