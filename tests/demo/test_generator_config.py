"""Every rate and strength is a parameter, overridable from YAML; bad configuration fails loudly."""

from __future__ import annotations

from datetime import date

import pytest

from zhishui.core.errors import ValidationFailure
from zhishui.demo.generator import load_config
from zhishui.demo.generator.config import GeneratorConfig


def test_yaml_overrides_nested_values(tmp_path):
    path = tmp_path / "district.yaml"
    path.write_text("scale: 0.2\nas_of: 2026-06-30\nschemes:\n  shell_company: {rate: 9.5, strength: 2}\n"
                    "compliance:\n  never_band: [0.0, 0.2]\neconomy:\n  red_rate: 0.02\n", encoding="utf-8")
    config = load_config(path, seed=7)
    assert config.scale == 0.2 and config.seed == 7 and config.as_of == date(2026, 6, 30)
    assert config.schemes.shell_company.rate == 9.5 and config.schemes.shell_company.strength == 2.0
    assert config.schemes.vanished == GeneratorConfig().schemes.vanished
    assert config.compliance.never_band == (0.0, 0.2) and config.economy.red_rate == 0.02


def test_explicit_values_win_over_the_file(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("scale: 0.2\nseed: 5\n", encoding="utf-8")
    assert load_config(path, scale=0.05).scale == 0.05
    assert load_config(path, scale=None).scale == 0.2


@pytest.mark.parametrize("text, field", [
    ("schemes:\n  shel_company: {rate: 1}\n", "config.schemes.shel_company"),
    ("scale: 0\n", "scale"),
    ("economy:\n  sector_value_added: [0.5, 0.5, 0.5]\n", "economy.sector_value_added"),
    ("economy:\n  red_rate: fast\n", "config.economy.red_rate"),
    ("months: 100\n", "months"),
    ("- a list\n", "config"),
])
def test_bad_configuration_names_the_key(tmp_path, text, field):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationFailure) as exc:
        load_config(path)
    assert exc.value.errors[0].field == field


def test_unreadable_config_file(tmp_path):
    with pytest.raises(ValidationFailure):
        load_config(tmp_path / "missing.yaml")
