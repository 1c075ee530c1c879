"""A generated district loads through the registry importer (``zhishui import``) with zero rejections."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def test_generated_district_imports_with_zero_rejections(district):
    from zhishui.registry.importer import import_directory

    report = import_directory(district.path, by="test")
    problems = [p.text() for f in report.files for p in f.problems]
    assert report.status == "ok", problems[:20]
    manifest = json.loads((district.path / "manifest.json").read_text(encoding="utf-8"))
    loaded = {f.feed: f for f in report.files}
    for feed, info in manifest["feeds"].items():
        assert loaded[feed].status == "loaded" and loaded[feed].rejected == 0, feed
        assert loaded[feed].rows_read == info["rows"], feed
