"""``zhishui calc NAME --input FILE.json`` (``-`` for stdin), ``zhishui calc --list``,
``zhishui calc NAME --schema``: JSON on stdout; bad input gets a Chinese and English message on
stderr and exit code 2, never a traceback."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from zhishui.core.errors import ValidationFailure
from zhishui.law import interface
from zhishui.law.parameters import DEFAULT_DISTRICT, ParameterError


class Command(BaseCommand):
    help = "税费计算器 / tax calculators (zhishui.law)"
    requires_system_checks: list = []  # pure calculation: no models, no database

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="calculator name, see --list")
        parser.add_argument("--list", action="store_true", help="list the calculators")
        parser.add_argument("--schema", action="store_true", help="print the JSON Schema of the input")
        parser.add_argument("--input", help="input JSON file, or - for stdin")
        parser.add_argument("--overlay", help="what-if overlay YAML file replacing parameters from a date")
        parser.add_argument("--district", default=DEFAULT_DISTRICT, help="district code (default 610303)")

    def handle(self, *args, name, list, schema, input, overlay, district, **options):
        try:
            if list:
                return self._print(interface.list_calculators())
            if not name:
                return self._fail("请指定计算器名称，或使用 --list", "name a calculator, or use --list")
            if schema:
                return self._print(interface.schema(name))
            if not input:
                return self._fail("请用 --input 指定输入 JSON 文件（- 表示标准输入）",
                                  "give the input JSON with --input FILE (- for stdin)")
            payload = json.load(sys.stdin if input == "-" else open(input, encoding="utf-8"))
            return self._print(interface.run(name, payload, overlay=overlay, district=district))
        except ValidationFailure as exc:
            lines = [f"{e.field}：{e.message_zh}\n{e.field}: {e.message_en}" for e in exc.errors]
            return self._fail("\n".join(lines))
        except json.JSONDecodeError as exc:
            return self._fail(f"输入不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）",
                              f"input is not valid JSON (line {exc.lineno}, column {exc.colno})")
        except OSError as exc:
            return self._fail(f"无法读取文件：{exc.filename}", f"cannot read file: {exc.filename}")
        except ParameterError as exc:
            return self._fail(f"参数文件有误：{exc}", f"malformed parameter file: {exc}")

    def _print(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def _fail(self, zh: str, en: str = "") -> None:
        self.stderr.write(zh + (f"\n{en}" if en else ""))
        sys.exit(2)
