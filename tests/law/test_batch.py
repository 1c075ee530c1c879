"""The NumPy batch engine equals the Decimal calculators to the fen."""

from __future__ import annotations

import numpy as np
import pytest

from zhishui.core.errors import ValidationFailure
from zhishui.law import batch
from zhishui.law.parameters import default_parameters
from zhishui.law.registry import get


def _yuan(fen: int) -> str:
    sign, fen = ("-" if fen < 0 else ""), abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def _people(n: int, seed: int) -> dict[str, np.ndarray]:
    """Random people, with a share placed exactly on band seams (taxable income 36,000, 144,000 …)."""
    rng = np.random.default_rng(seed)

    def some(high: int, share: float) -> np.ndarray:
        return rng.integers(0, high, n) * (rng.random(n) < share)

    cols = {"wages": rng.integers(0, 150_000_000, n), "remuneration": some(8_000_000, 0.3),
            "author": some(3_000_000, 0.1), "royalties": some(3_000_000, 0.1), "exempt_income": some(500_000, 0.1),
            "special_deductions": rng.integers(0, 4_000_000, n), "special_additional_deductions": some(7_200_000, 0.6),
            "other_deductions": some(1_440_000, 0.1), "donations": some(5_000_000, 0.2),
            "donations_full": some(2_000_000, 0.05), "prepaid": rng.integers(0, 20_000_000, n)}
    seams = np.array([0, 3_600_000, 14_400_000, 30_000_000, 42_000_000, 66_000_000, 96_000_000])
    on_seam = rng.random(n) < 0.05
    cols["wages"] = np.where(on_seam, seams[rng.integers(0, len(seams), n)] + 6_000_000 + rng.integers(-1, 2, n),
                             cols["wages"])
    for k in ("remuneration", "author", "royalties", "exempt_income", "special_deductions",
              "special_additional_deductions", "other_deductions", "donations", "donations_full"):
        cols[k] = np.where(on_seam, 0, cols[k])
    return {k: np.maximum(v, 0).astype(np.int64) for k, v in cols.items()}


def test_iit_annual_batch_matches_the_decimal_calculator_on_100_000_people():
    n = 100_000
    cols = _people(n, seed=20261126)
    out = batch.iit_annual("2026", cols)
    calc, params = get("iit_annual"), default_parameters()
    names = list(cols)
    rows = zip(*(cols[k].tolist() for k in names), strict=True)
    keys = list(out)
    expected = {k: out[k].tolist() for k in keys}
    for i, row in enumerate(rows):
        payload = {"period": "2026", **{k: _yuan(v) for k, v in zip(names, row, strict=True)}}
        got = calc.calculate(payload, params).amounts
        for k in keys:
            assert int(got[k] * 100) == expected[k][i], (i, k, payload)


@pytest.mark.parametrize("period", ["2026-03", "2026-Q1", "2025-Q2", "2023-01"])
def test_vat_small_scale_batch_matches(period):
    rng = np.random.default_rng(7)
    n = 5_000
    threshold = 30_000_000 if "Q" in period else 10_000_000
    cols = {"sales_3": np.where(rng.random(n) < 0.2, threshold + rng.integers(-2, 3, n),
                                rng.integers(0, 3 * threshold, n)),
            "immovable_sales": rng.integers(0, threshold, n) * (rng.random(n) < 0.1),
            "other_sales_5": rng.integers(0, threshold // 10, n) * (rng.random(n) < 0.1),
            "used_assets_sales": rng.integers(0, threshold // 10, n) * (rng.random(n) < 0.1),
            "other_exempt_sales": rng.integers(0, threshold // 10, n) * (rng.random(n) < 0.1),
            "prepaid": rng.integers(0, 100_000, n) * (rng.random(n) < 0.1)}
    cols = {k: v.astype(np.int64) for k, v in cols.items()}
    out = batch.vat_small_scale(period, cols)
    calc, params = get("vat_small_scale"), default_parameters()
    for i in range(n):
        payload = {"period": period, **{k: _yuan(int(v[i])) for k, v in cols.items()}}
        got = calc.calculate(payload, params).amounts
        assert set(out) == set(got)
        for k, arr in out.items():
            assert int(got[k] * 100) == int(arr[i]), (i, k, payload)


@pytest.mark.parametrize("period", ["2026-09", "2025-12", "2027-12", "2019-04"])
def test_vat_general_batch_matches(period):
    rng = np.random.default_rng(11)
    n = 3_000

    def some(high, share, low=0):
        return (rng.integers(low, high, n) * (rng.random(n) < share)).astype(np.int64)

    cols = {"sales_13": some(10**10, 0.7), "sales_9": some(10**9, 0.3), "sales_6": some(10**9, 0.3),
            "simplified_sales_3": some(10**8, 0.1), "simplified_sales_5": some(10**8, 0.1),
            "simplified_inspection_sales": some(10**7, 0.03), "export_sales": some(10**8, 0.05),
            "exempt_sales": some(10**8, 0.1), "output_tax_entered": some(10**6, 0.05),
            "input_tax": some(10**9, 0.8), "previous_credit": some(10**8, 0.3),
            "input_transfer_out": some(10**6, 0.05), "export_refund": some(10**6, 0.02),
            "inspection_tax": some(10**6, 0.02), "simplified_tax_entered": some(10**5, 0.05),
            "simplified_inspection_tax": some(10**5, 0.03), "opening_unpaid": some(10**7, 0.3, -10**6),
            "export_refund_received": some(10**5, 0.02), "prepaid": some(10**7, 0.1),
            "export_prepaid": some(10**5, 0.02), "paid_previous": some(10**7, 0.3), "paid_arrears": some(10**6, 0.05),
            "opening_inspection_unpaid": some(10**6, 0.05), "inspection_paid": some(10**6, 0.05)}
    classes = None
    if period >= "2023":  # 加计抵减 is in force 2023-01-01 … 2027-12-31 only
        classes = [["none", "none", "advanced_manufacturing", "ic_mother_machine"][k] for k in rng.integers(0, 4, n)]
        cols["super_credit_opening"] = some(10**8, 0.2, -10**5)
        cols["super_credit_adjustment"] = some(10**5, 0.05)
        cols["super_credit_excluded_input"] = np.minimum(some(10**8, 0.1), cols["input_tax"])
    # Half-fen seams: amounts whose tax at 13 % ends in exactly half a fen.
    cols["sales_13"][:50] = np.arange(50) * 100 + 50
    out = batch.vat_general(period, cols, super_credit_class=classes)
    calc, params = get("vat_general"), default_parameters()
    for i in range(n):
        payload = {"period": period, **{k: _yuan(int(v[i])) for k, v in cols.items()}}
        if classes:
            payload["super_credit_class"] = classes[i]
        got = calc.calculate(payload, params).amounts
        assert set(out) == set(got)
        for k, arr in out.items():
            assert int(got[k] * 100) == int(arr[i]), (i, k, payload)


@pytest.mark.parametrize("period, fails", [("2027-12", False), ("2028-01", True), ("2022-12", True)])
def test_additional_credit_fails_loudly_outside_its_policy_in_batch_and_calculator(period, fails):
    cols = {"sales_13": np.array([10**8], dtype=np.int64), "input_tax": np.array([10**6], dtype=np.int64)}
    payload = {"period": period, "sales_13": "1000000.00", "input_tax": "10000.00",
               "super_credit_class": "advanced_manufacturing"}
    if fails:
        with pytest.raises(ValidationFailure, match=f"no parameter in force for {period}"):
            batch.vat_general(period, cols, super_credit_class=["advanced_manufacturing"])
        with pytest.raises(ValidationFailure, match=f"no parameter in force for {period}"):
            get("vat_general").calculate(payload, default_parameters())
        # Without the policy (no class, no balance) the return computes as before.
        assert batch.vat_general(period, cols)["line_19"].tolist() == [10**7 * 13 // 10 - 10**6]
    else:
        assert batch.vat_general(period, cols, super_credit_class=["advanced_manufacturing"]
                                 )["super_credit_used"].tolist() == [50_000]


@pytest.mark.parametrize("period", ["2026-09", "2026-Q3", "2027-12"])
def test_surcharges_batch_matches(period):
    rng = np.random.default_rng(13)
    n = 3_000
    exemption = 30_000_000 if "Q" in period else 10_000_000
    cols = {"vat_paid": (rng.integers(0, 10**8, n) * (rng.random(n) < 0.8)).astype(np.int64),
            "sales": np.where(rng.random(n) < 0.2, exemption + rng.integers(-2, 3, n),
                              rng.integers(0, 3 * exemption, n)).astype(np.int64),
            "vat_credit_refund": (rng.integers(0, 10**7, n) * (rng.random(n) < 0.05)).astype(np.int64)}
    where = [[None, "city", "county_town", "other"][k] for k in rng.integers(0, 4, n)]
    halving = (rng.random(n) < 0.5).tolist()
    out = batch.surcharges(period, cols, where, halving)
    calc, params = get("surcharges"), default_parameters()
    for i in range(n):
        payload = {"period": period, "halving_eligible": halving[i],
                   **{k: _yuan(int(v[i])) for k, v in cols.items()}}
        if where[i]:
            payload["location_class"] = where[i]
        got = calc.calculate(payload, params).amounts
        for k, arr in out.items():
            assert int(got[k] * 100) == int(arr[i]), (i, k, payload)


def test_surcharges_batch_fails_loudly_after_the_halving_ends():
    with pytest.raises(ValidationFailure):
        batch.surcharges("2028-01", {"vat_paid": np.array([10_000], dtype=np.int64),
                                     "sales": np.array([10**9], dtype=np.int64)}, [None], [True])


def test_iit_bonus_batch_matches_at_the_cliffs():
    seams = np.array([3_600_000, 14_400_000, 30_000_000, 42_000_000, 66_000_000, 96_000_000])
    bonus = np.concatenate([seams - 1, seams, seams + 1, np.arange(0, 200_000_000, 99_991)]).astype(np.int64)
    out = batch.iit_bonus("2027", {"bonus": bonus})["tax"]
    calc, params = get("iit_bonus"), default_parameters()
    for b, t in zip(bonus.tolist(), out.tolist(), strict=True):
        assert int(calc.calculate({"period": "2027", "bonus": _yuan(b)}, params).amounts["tax"] * 100) == t


def test_half_up_rounding_in_integers_breaks_ties_away_from_zero():
    num = np.array([5, 15, 25, -5, -15, 4, 6], dtype=np.int64)
    assert batch.round_half_up_div(num, 10).tolist() == [1, 2, 3, -1, -2, 0, 1]


def test_batch_validates_columns_and_periods():
    with pytest.raises(ValidationFailure, match="wagez"):
        batch.iit_annual("2026", {"wagez": [1]})
    with pytest.raises(ValidationFailure, match="integer fen"):
        batch.iit_annual("2026", {"wages": [1.5]})
    with pytest.raises(ValidationFailure, match="row 1"):
        batch.iit_annual("2026", {"wages": [1, -1]})
    with pytest.raises(ValidationFailure, match="2028-01"):
        batch.vat_small_scale("2028-01", {"sales_3": [1]})
    with pytest.raises(ValidationFailure, match="row 0"):
        batch.iit_annual("2026", {"wages": [100], "tax_reduction": [1]})
