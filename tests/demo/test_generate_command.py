"""``zhishui generate`` and the demo pipeline's generation step."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from zhishui.demo.generator import generate_demo

from .conftest import AS_OF


def test_generate_writes_a_feed_directory(tmp_path, capsys):
    out = tmp_path / "district"
    call_command("generate", out=str(out), scale=0.005, seed=9, as_of=AS_OF.isoformat())
    printed = capsys.readouterr().out
    assert "market entities" in printed and "invoices" in printed
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["feeds"]) >= {"invoices", "invoice_lines", "returns"}
    assert (out / "truth" / "labels.csv").exists()


def test_json_summary_and_config_file(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("schemes:\n  unreported_sales: {rate: 0}\n", encoding="utf-8")
    call_command("generate", out=str(tmp_path / "d"), scale=0.005, seed=9, as_of=AS_OF.isoformat(),
                 config=str(cfg), as_json=True)
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"]["invoices"] > 0 and "unreported_sales" not in summary["schemes"]


@pytest.mark.parametrize("options", [{"district": "999999"}, {"as_of": "2026-13-01"}, {"scale": -1.0},
                                     {"config": "/nonexistent.yaml"}])
def test_bad_options_exit_with_status_2(tmp_path, options):
    with pytest.raises(CommandError) as exc:
        call_command("generate", out=str(tmp_path / "x"), quiet=True, **{"as_of": AS_OF.isoformat(), **options})
    assert exc.value.returncode == 2


def test_generate_demo_returns_the_directory(tmp_path):
    path = generate_demo(scale=0.005, seed=1, out_dir=tmp_path / "demo", as_of=AS_OF)
    assert path == tmp_path / "demo" and (path / "manifest.json").exists()
