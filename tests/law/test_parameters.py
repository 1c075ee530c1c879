"""Parameters as data: loading, validation, dated lookups, loud failures after end dates, overlays."""

from __future__ import annotations

import itertools
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from zhishui.core.errors import ValidationFailure
from zhishui.core.periods import parse_period
from zhishui.law.parameters import (
    PARAMETER_DIR,
    ParameterError,
    ParameterNotInForce,
    ParameterSet,
    Scale,
    default_parameters,
)


def _copy_tree(tmp_path: Path) -> Path:
    target = tmp_path / "parameters"
    shutil.copytree(PARAMETER_DIR, target)
    return target


def _write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


GOOD = """
test.value:
  label_zh: 测试
  label_en: test
  unit: 元
  versions:
    - start: 2020-01-01
      end: 2020-12-31
      value: 1
      citation: 测试文件第一条
      confidence: 法
"""


def test_every_parameter_has_citation_confidence_and_sorted_disjoint_intervals(params):
    assert len(params.names()) > 60
    for name in params.names():
        p = params.get(name)
        for v in p.versions:
            assert v.citation and v.confidence in {"法", "核", "记", "疑"}
        for a, b in zip(p.versions, p.versions[1:], strict=False):
            assert a.end is not None and a.end < b.start


@pytest.mark.parametrize("bad, message", [
    (GOOD.replace("citation: 测试文件第一条", "citation: ''"), "citation required"),
    (GOOD.replace("confidence: 法", "confidence: maybe"), "confidence must be"),
    (GOOD.replace("value: 1", "value: 0.03"), "not YAML floats"),
    (GOOD.replace("end: 2020-12-31", "end: 2019-12-31"), "before start"),
    (GOOD + "      extra: 1\n", "unknown keys"),
    (GOOD + """    - start: 2020-06-01
      value: 2
      citation: 测试文件第二条
      confidence: 法
""", "overlap"),
])
def test_malformed_parameter_files_are_rejected_on_load(tmp_path, bad, message):
    directory = _copy_tree(tmp_path)
    _write(directory, "test.yaml", bad)
    with pytest.raises(ParameterError, match=message):
        ParameterSet.load(directory=directory)


def test_scale_brackets_must_increase_and_end_open(tmp_path):
    directory = _copy_tree(tmp_path)
    _write(directory, "test.yaml", GOOD.replace("value: 1", "scale: [{upper: 10, rate: '0.1'}, {upper: 5, rate: "
                                                "'0.2'}, {rate: '0.3'}]"))
    with pytest.raises(ParameterError, match="must increase"):
        ParameterSet.load(directory=directory)
    _write(directory, "test.yaml", GOOD.replace("value: 1", "scale: [{upper: 10, rate: '0.1'}]"))
    with pytest.raises(ParameterError, match="open-ended"):
        ParameterSet.load(directory=directory)


def test_district_file_cannot_redefine_a_national_parameter(tmp_path):
    directory = _copy_tree(tmp_path)
    path = directory / "districts" / "610303.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["parameters"]["iit.basic_deduction"] = yaml.safe_load(GOOD)["test.value"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParameterError, match="national"):
        ParameterSet.load(directory=directory)


def test_unknown_district_and_missing_district_parameter_fail_clearly(params):
    with pytest.raises(ValidationFailure) as exc:
        ParameterSet.load("999999")
    assert exc.value.code == "no_district"
    without = ParameterSet({k: v for k, v in params.parameters.items() if k != "deed.rate"}, "610303")
    with pytest.raises(ValidationFailure) as exc:
        without.at("deed.rate", date(2026, 1, 1))
    assert "districts/610303.yaml" in exc.value.errors[0].message_zh
    assert "not defined" in exc.value.errors[0].message_en


def test_lookup_returns_value_validity_and_citation(params):
    before = params.at("vat.rate_standard", date(2025, 12, 31))
    after = params.at("vat.rate_standard", date(2026, 1, 1))
    assert before.value == after.value == Decimal("0.13")
    assert "暂行条例" in before.citation and before.end == date(2025, 12, 31)
    assert "增值税法》第十条" in after.citation and after.start == date(2026, 1, 1) and after.end is None


def _temporary(params: ParameterSet):
    for name in params.names():
        last = params.get(name).versions[-1]
        if last.end is not None:
            yield name, last.end


@pytest.mark.parametrize("name, end", list(_temporary(default_parameters())))
def test_temporary_parameters_hold_on_their_last_day_and_fail_loudly_the_day_after(params, name, end):
    assert params.at(name, end) is not None
    with pytest.raises(ParameterNotInForce) as exc:
        params.at(name, end + timedelta(days=1))
    err = exc.value.errors[0]
    assert f"no parameter in force for {end + timedelta(days=1)}" in err.message_en
    assert "没有有效的参数" in err.message_zh and "不会自动延续" in err.message_zh


def test_all_2027_reliefs_end_on_2027_12_31(params):
    ending = {name for name, end in _temporary(params) if end == date(2027, 12, 31)}
    assert {"vat.small_scale.threshold_month", "vat.small_scale.reduced_levy_rate", "relief.six_taxes_two_fees",
            "cit.slp.income_ratio", "iit.bonus.separate_taxation", "iit.business.halving_rate"} <= ending


def test_period_lookup_names_the_period_and_refuses_a_change_inside_it(params):
    with pytest.raises(ParameterNotInForce, match="no parameter in force for 2028-01"):
        params.at("vat.small_scale.threshold_month", parse_period("2028-01"))
    assert params.value("vat.small_scale.threshold_quarter", parse_period("2027-Q4")) == 300000
    with pytest.raises(ParameterNotInForce, match="only part of the period"):
        params.at("stamp.rates", parse_period("2022"))
    with pytest.raises(ParameterNotInForce, match="changes within the period"):
        params.at("deed.individual_housing.area_limit", parse_period("2024-Q4"))
    assert params.value("vat.rate_standard", parse_period("2025-Q4")) == Decimal("0.13")


def test_a_parameter_not_yet_in_force_says_from_when(params):
    with pytest.raises(ParameterNotInForce, match="only from 2023-01-01"):
        params.at("vat.small_scale.threshold_month", parse_period("2022-12"))


@pytest.mark.parametrize("name", ["iit.comprehensive_scale", "iit.monthly_scale", "iit.business_scale"])
def test_quick_deductions_follow_from_the_marginal_rates(params, name):
    """速算扣除数 q_i = q_(i-1) + upper_(i-1) × (r_i − r_(i-1)); catches the 31,320-for-31,920 typo."""
    scale: Scale = params.value(name, date(2026, 1, 1))
    b = scale.brackets
    assert b[0].quick == 0
    for prev, cur in itertools.pairwise(b):
        assert cur.quick == prev.quick + prev.upper * (cur.rate - prev.rate)


def test_lat_quick_coefficients_follow_from_the_bands(params):
    b = params.value("lat.scale", date(2026, 1, 1)).brackets
    for prev, cur in itertools.pairwise(b):
        assert cur.quick == prev.quick + prev.upper * (cur.rate - prev.rate)


def test_district_land_use_amounts_lie_within_the_statutory_band(params):
    d = date(2026, 1, 1)
    size = params.value("land_use.city_size", d)
    low = params.value("land_use.band_min", d)[size] * (1 - params.value("land_use.lowering_allowance", d))
    high = params.value("land_use.band_max", d)[size]
    assert all(low <= amount <= high for amount in params.value("land_use.grade_amounts", d).values())


def test_overlay_replaces_from_a_date_and_keeps_earlier_values(params):
    what_if = params.with_overlay({"iit.basic_deduction": [{"start": "2027-01-01", "value": 72000}]})
    assert what_if.value("iit.basic_deduction", date(2026, 12, 31)) == 60000
    later = what_if.at("iit.basic_deduction", date(2027, 1, 1))
    assert later.value == 72000 and later.confidence == "假设" and "what-if" in later.citation
    assert params.value("iit.basic_deduction", date(2027, 1, 1)) == 60000


def test_overlay_can_extend_a_relief_and_can_be_a_yaml_file(params, tmp_path):
    path = tmp_path / "extend.yaml"
    path.write_text("relief.six_taxes_two_fees:\n  - start: 2028-01-01\n    end: 2030-12-31\n    value: '0.5'\n"
                    "    citation: 设想的延续政策\n", encoding="utf-8")
    what_if = params.with_overlay(path)
    assert what_if.value("relief.six_taxes_two_fees", date(2028, 6, 1)) == Decimal("0.5")
    assert what_if.value("relief.six_taxes_two_fees", date(2027, 6, 1)) == Decimal("0.5")
    assert str(path) in what_if.overlaid


def test_overlay_in_the_middle_splits_the_old_interval(params):
    what_if = params.with_overlay({"cit.rate": {"start": "2030-01-01", "end": "2030-12-31", "value": "0.20"}})
    assert [v.value for v in what_if.get("cit.rate").versions] == [Decimal("0.25"), Decimal("0.20"),
                                                                  Decimal("0.25")]


@pytest.mark.parametrize("overlay", [{"no.such": [{"start": "2027-01-01", "value": 1}]},
                                     {"cit.rate": [{"value": 1}]}, {"cit.rate": "x"}, {}])
def test_bad_overlays_are_validation_failures(params, overlay):
    with pytest.raises(ValidationFailure):
        params.with_overlay(overlay)
