import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_load(feed_dir, tmp_path, fmt):
    from zhishui.registry.exporter import export_directory
    from zhishui.registry.importer import import_directory, report_text

    report = import_directory(feed_dir, by="test")
    assert report.status == "ok"
    export_directory(tmp_path / "out", fmt=fmt)
    again = import_directory(tmp_path / "out", by="test")
    print(report_text(again))
    for f in again.files:
        assert f.inserted == 0 and f.updated == 0, f
    import subprocess
    print(subprocess.run(["head", "-3", *[str(p) for p in sorted((tmp_path / "out").glob("*.csv"))]], capture_output=True, text=True).stdout)
