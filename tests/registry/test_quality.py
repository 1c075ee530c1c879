"""Cross-feed checks after each load: the four kinds of findings of the 数据交换 page."""

from __future__ import annotations

import pytest

from tests.registry import feedkit
from zhishui.registry import models, pii
from zhishui.registry.importer import import_directory

pytestmark = pytest.mark.django_db


def findings(kind: str) -> list[models.QualityFinding]:
    return list(models.QualityFinding.objects.filter(kind=kind).select_related("subject"))


def test_each_load_lists_its_findings(loaded):
    assert loaded.quality == {
        "unregistered_seller": 1,
        "unknown_person": 1,
        "si_after_deregistration": 1,
        "duplicate_person": 1,
    }
    seller = findings("unregistered_seller")[0]
    assert seller.subject.tax_id == feedkit.GAMMA and seller.count == 1 and seller.detail["amount"] == "300.00"
    unknown = findings("unknown_person")[0]
    assert unknown.person_bidx == pii.blind_index(feedkit.ZHAO) and unknown.subject.tax_id == feedkit.BETA
    assert unknown.detail["person"] == feedkit.ZHAO[:6] + "********" + feedkit.ZHAO[-4:]
    si = findings("si_after_deregistration")[0]
    assert si.subject.tax_id == feedkit.CLOSED and si.detail["months"] == ["2024-08"]
    dup = findings("duplicate_person")[0]
    assert dup.person_bidx == pii.blind_index(feedkit.OLD18) and dup.detail["name"] == "刘洋"
    assert models.ImportBatch.objects.get(pk=loaded.batch_id).quality == loaded.quality


def test_outside_sellers_are_not_findings(loaded):
    assert not models.QualityFinding.objects.filter(subject__tax_id=feedkit.OUTSIDE).exists()


def test_findings_follow_the_data(loaded, feed_dir):
    data = feedkit.rows()
    data["persons"].append({"id_number": feedkit.ZHAO, "name": "赵敏", "region_code": "610303", "phone": ""})
    data["tax_registrations"].append(
        {
            "taxpayer_id": feedkit.GAMMA,
            "name": "宝鸡市金台区伽马科技有限公司",
            "taxpayer_kind": "enterprise",
            "vat_status": "small_scale",
            "registered_on": "2020-02-01",
            "tax_office": "",
            "officer_id": "",
            "state": "normal",
            "urban_class": "city",
        }
    )
    feedkit.write_all(feed_dir, data)
    report = import_directory(feed_dir)
    assert report.quality["unknown_person"] == 0 and report.quality["unregistered_seller"] == 0
    assert report.quality["duplicate_person"] == 1 and report.quality["si_after_deregistration"] == 1


def test_old_and_new_numbers_across_deliveries(db, tmp_path):
    directory = tmp_path / "a"
    directory.mkdir()
    feedkit.write_csv(directory, "persons", [{"id_number": feedkit.OLD18, "name": "刘洋", "region_code": "610303"}])
    assert import_directory(directory).quality["duplicate_person"] == 0
    feedkit.write_csv(directory, "persons", [{"id_number": feedkit.OLD15, "name": "刘洋", "region_code": "610303"}])
    report = import_directory(directory)
    assert report.files[0].unchanged == 1 and report.quality["duplicate_person"] == 1
    assert models.Person.objects.get().id_forms == 3
