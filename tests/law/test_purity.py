"""law/ is pure Python: no Django import anywhere (DESIGN.md, architecture)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import zhishui.law

LAW = Path(zhishui.law.__file__).parent
SRC = LAW.parent.parent


def test_no_module_in_law_imports_django():
    offenders = []
    for path in LAW.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "django"]
    assert offenders == []


def test_importing_and_running_law_leaves_django_unloaded():
    code = (
        "import sys\n"
        "from zhishui.law import batch, interface\n"
        "interface.run('iit_annual', {'period': '2026', 'wages': '120000'})\n"
        "batch.iit_annual('2026', {'wages': [12000000]})\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not loaded, loaded\n"
        "allowed = {'zhishui', 'zhishui.core', 'zhishui.core.money', 'zhishui.core.periods', 'zhishui.core.errors'}\n"
        "apps = sorted(m for m in sys.modules if m.startswith('zhishui') and not m.startswith('zhishui.law')\n"
        "              and m not in allowed)\n"
        "assert not apps, apps\n"
    )
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
