"""``zhishui import DIR``: load a feed directory in the exchange format (EXCHANGE.md).

Prints the load report; exits 2 when any file (or the manifest) was rejected. ``--skip-invalid``
loads the valid rows and writes the rejected ones with their reasons to ``DIR/rejected/``.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhishui.registry.importer import import_directory, report_text


class Command(BaseCommand):
    help = "导入部门数据交换目录 / load a feed directory in the data-exchange format"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="feed directory (EXCHANGE.md)")
        parser.add_argument("--skip-invalid", action="store_true",
                            help="load the valid rows; write rejected rows with reasons to DIR/rejected/")
        parser.add_argument("--source", default="", help="providing department (default: manifest or per feed)")
        parser.add_argument("--by", default="", help="who runs the import (recorded in the audit trail)")
        parser.add_argument("--rejected-dir", default="", help="where rejected rows go (default DIR/rejected)")
        parser.add_argument("--report", default="", help="also write the full report as JSON to this file")
        parser.add_argument("--max-errors", type=int, default=50, help="problems printed per file")

    def handle(self, *args, directory, skip_invalid, source, by, rejected_dir, report, max_errors, **opts):
        path = Path(directory)
        if not path.is_dir():
            raise CommandError(f"{directory} 不是目录 / is not a directory", returncode=2)
        result = import_directory(path, by=by or "cli", via="cli", skip_invalid=skip_invalid, source=source,
                                  rejected_dir=rejected_dir or None)
        self.stdout.write(report_text(result, max_errors), ending="")
        if report:
            Path(report).write_text(json.dumps(result.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        if result.status == "rejected" or any(f.status == "rejected" for f in result.files):
            raise CommandError("部分或全部文件被拒绝 / some or all files were rejected", returncode=2)
