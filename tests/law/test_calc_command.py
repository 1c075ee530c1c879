"""``zhishui calc``: JSON out, Chinese and English errors on stderr with exit code 2, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def zhishui(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "-m", "zhishui", "calc", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=120)


def test_list_schema_and_run_from_a_file(tmp_path):
    listed = json.loads(zhishui("--list").stdout)
    assert "iit_annual" in {c["name"] for c in listed}
    assert json.loads(zhishui("iit_bonus", "--schema").stdout)["required"] == ["period", "bonus"]
    path = tmp_path / "in.json"
    path.write_text('{"period": "2026-03", "sales_3": "100000.01"}', encoding="utf-8")
    out = json.loads(zhishui("vat_small_scale", "--input", str(path)).stdout)
    assert out["amounts"]["line_20"] == "1000.00"


def test_stdin_and_overlay(tmp_path):
    overlay = tmp_path / "o.yaml"
    overlay.write_text("iit.basic_deduction:\n  - start: 2027-01-01\n    value: 72000\n", encoding="utf-8")
    proc = zhishui("iit_annual", "--input", "-", "--overlay", str(overlay),
                   stdin='{"period": "2027", "wages": "120000"}')
    assert json.loads(proc.stdout)["amounts"]["tax"] == "2280.00"


@pytest.mark.parametrize("args, stdin, zh, en", [
    (("vat_small_scale", "--input", "-"), '{"period": "2026-03", "sales_3": "-1"}', "不能为负数", "negative"),
    (("vat_small_scale", "--input", "-"), '{"period": "2028-01", "sales_3": "1"}', "没有有效的参数",
     "no parameter in force for 2028-01"),
    (("vat_small_scale", "--input", "-"), '{"period": ', "不是有效的 JSON", "not valid JSON"),
    (("nope", "--schema"), "", "没有名为", "no calculator"),
    (("iit_bonus", "--input", "/no/such/file.json"), "", "无法读取文件", "cannot read file"),
    ((), "", "请指定计算器", "name a calculator"),
])
def test_bad_input_exits_2_with_both_languages_and_no_traceback(args, stdin, zh, en):
    proc = zhishui(*args, stdin=stdin)
    assert proc.returncode == 2
    assert zh in proc.stderr and en in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
