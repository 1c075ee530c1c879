from __future__ import annotations

import pytest

from tests.registry import feedkit


@pytest.fixture
def feed_dir(tmp_path):
    return feedkit.write_all(tmp_path / "feeds")


@pytest.fixture
def loaded(db, feed_dir):
    from zhishui.registry.importer import import_directory

    report = import_directory(feed_dir, by="test")
    assert report.status == "ok", [p.text() for f in report.files for p in f.problems]
    return report
