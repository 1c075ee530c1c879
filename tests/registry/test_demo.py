"""The demo step: generate the district, import it once, name the demo taxpayer."""

from __future__ import annotations

import pytest

from tests.registry import feedkit
from zhishui.registry import models
from zhishui.registry.demo import load_demo_district

pytestmark = pytest.mark.django_db


def test_the_demo_district_is_loaded_once_and_binds_a_busy_taxpayer(tmp_path, monkeypatch):
    calls = []

    def fake_generate(scale, seed):
        calls.append((scale, seed))
        return feedkit.write_all(tmp_path / "district")

    monkeypatch.setattr("zhishui.demo.generator.generate_demo", fake_generate)
    binding = load_demo_district(scale=0.01, seed=7)
    assert binding == {"taxpayer_id": feedkit.ACME, "taxpayer_name": "宝鸡市金台区艾克米机械有限公司"}
    assert models.ImportBatch.objects.get().via == "demo"
    assert load_demo_district(scale=0.01, seed=7) == binding and calls == [(0.01, 7)]
