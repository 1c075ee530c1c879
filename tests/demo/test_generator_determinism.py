"""Same seed and reference date: byte-identical output; another seed or date: another district."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

from zhishui.demo.generator import GeneratorConfig, generate

from .conftest import AS_OF


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_output(tmp_path):
    config = GeneratorConfig(scale=0.05, seed=42, as_of=AS_OF)
    generate(config, tmp_path / "a")
    generate(config, tmp_path / "b")
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert len(a) == 16  # 12 feeds, the manifest, and three truth files
    assert a == b


def test_another_seed_gives_another_district(district, tmp_path):
    generate(GeneratorConfig(scale=district.config.scale, seed=district.config.seed + 1, as_of=AS_OF), tmp_path)
    assert _digests(tmp_path)["invoices.csv"] != _digests(district.path)["invoices.csv"]


def test_the_reference_date_fixes_the_span(tmp_path):
    generate(GeneratorConfig(scale=0.005, seed=3, months=6, as_of=date(2026, 3, 1)), tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["extracted_at"] == "2026-03-01T08:00:00+08:00" and manifest["period"] == "2026-02"
    months = {line.split(",")[1] for line in (tmp_path / "utilities.csv").read_text(encoding="utf-8").splitlines()[1:]}
    assert months == {"2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02"}
    issued = [line.split(",")[2] for line in (tmp_path / "invoices.csv").read_text(encoding="utf-8").splitlines()[1:]]
    assert min(issued) >= "2025-09-01" and max(issued) < "2026-03-01"
    generation = json.loads((tmp_path / "truth" / "generation.json").read_text(encoding="utf-8"))
    assert generation["span"] == ["2025-09", "2026-02"] and generation["config"]["seed"] == 3
