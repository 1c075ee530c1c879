"""Administrative divisions shipped with the package."""

from __future__ import annotations

import pytest

from zhishui.core import regions
from zhishui.core.errors import ValidationFailure
from zhishui.core.regions import Township, describe, district_name, resolve, township_kind, townships

JINTAI_STREETS = ["中山东路街道", "西关街道", "中山西路街道", "群众路街道", "东风路街道", "十里铺街道",
                  "卧龙寺街道"]
JINTAI_TOWNS = ["陈仓镇", "蟠龙镇", "金河镇", "硖石镇"]


def test_data_ships_inside_the_package():
    assert regions.DATA_DIR.parts[-3:] == ("core", "data", "regions")
    for name in ("provinces.csv", "cities.csv", "areas.csv", "streets.csv"):
        assert (regions.DATA_DIR / name).is_file()


def test_loaded_once():
    assert regions._tables() is regions._tables()


def test_data_is_consistent():
    t = regions._tables()
    assert len(t.provinces) == 31
    assert all(code[:2] in t.provinces for code in t.cities)
    assert all(code[:4] in t.cities for code in t.districts)
    assert all(code[:6] in t.districts for code in t.townships)
    assert set(t.townships_by_district) <= set(t.districts)


@pytest.mark.parametrize(("code", "level", "name", "full_name"), [
    ("61", "province", "陕西省", "陕西省"),
    ("6103", "city", "宝鸡市", "陕西省宝鸡市"),
    ("610303", "district", "金台区", "陕西省宝鸡市金台区"),
    ("610303001", "township", "中山东路街道", "陕西省宝鸡市金台区中山东路街道"),
    ("610000", "province", "陕西省", "陕西省"),
    ("610300", "city", "宝鸡市", "陕西省宝鸡市"),
    ("110101", "district", "东城区", "北京市东城区"),
    ("500229", "district", "城口县", "重庆市城口县"),
    ("441900", "district", "东莞市", "广东省东莞市"),
    (610303, "district", "金台区", "陕西省宝鸡市金台区"),
])
def test_resolve(code, level, name, full_name):
    region = resolve(code)
    assert (region.level, region.name, region.full_name) == (level, name, full_name)


def test_resolve_path():
    region = resolve(" 610303100 ")
    assert region.path == (("61", "陕西省"), ("6103", "宝鸡市"), ("610303", "金台区"),
                           ("610303100", "陈仓镇"))
    assert region.level_zh == "乡级"


@pytest.mark.parametrize("code", ["99", "6199", "610399", "610303999", "990000", "619900"])
def test_unknown_code(code):
    with pytest.raises(ValidationFailure) as info:
        resolve(code, field="district")
    error = info.value.errors[0]
    assert error.field == "district" and "不存在" in error.message_zh and error.value == code


@pytest.mark.parametrize("code", ["", "6", "61030", "6103031", "61030300100", "abc", "６１", None, 6.1])
def test_malformed_code(code):
    with pytest.raises(ValidationFailure) as info:
        resolve(code)
    assert "2、4、6或9位数字" in info.value.errors[0].message_zh


def test_jintai_townships():
    result = townships("610303")
    assert [t.name for t in result if t.kind == "街道"] == JINTAI_STREETS
    assert [t.name for t in result if t.kind == "镇"] == JINTAI_TOWNS
    assert len(result) == 11
    assert result[0] == Township("610303001", "中山东路街道", "街道")
    code, name, kind = result[-1]
    assert (code, name, kind) == ("610303103", "硖石镇", "镇")


def test_townships_of_non_district():
    with pytest.raises(ValidationFailure):
        townships("6103")
    with pytest.raises(ValidationFailure):
        townships("610000")


def test_district_name():
    assert district_name("610303") == "金台区"
    with pytest.raises(ValidationFailure) as info:
        district_name("6103")
    assert info.value.errors[0].field == "district_code"
    with pytest.raises(ValidationFailure):
        district_name("610399")


@pytest.mark.parametrize(("code", "name", "kind"), [
    ("610303001", "中山东路街道", "街道"),
    ("110105021", "南磨房地区", "街道"),  # 001–099 is the 街道 range whatever the name
    ("610303100", "陈仓镇", "镇"),
    ("150205202", "吉忽伦图苏木", "乡"),
    ("130271450", "新华路街道", "街道"),
    ("120113500", "红旗农场", "其他"),
])
def test_township_kind(code, name, kind):
    assert township_kind(code, name) == kind
    assert resolve(code).name == name


def test_describe_falls_back_for_codes_no_longer_in_use():
    assert describe("610303") == "陕西省宝鸡市金台区"
    assert describe("610301") == "陕西省宝鸡市"
    assert describe("619901") == "陕西省"
    assert describe("999999") is None


def test_province_name():
    assert regions.province_name("61") == "陕西省"
    assert regions.province_name("81") is None
