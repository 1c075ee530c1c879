"""``zhishui ids check FILE`` (``-`` for stdin): identifiers in, one per line; CSV out.

The CSV columns are ``input,kind,valid,detail`` with the detail in Chinese.

The whole input is read before anything is printed, so an unreadable file prints no partial result.
Invalid identifiers are results, not errors: the exit status is 0 unless the input cannot be read (2).
"""

from __future__ import annotations

import csv
import io
import sys

from django.core.management.base import BaseCommand, CommandError

from zhishui.core.identifiers import CSV_HEADER, check_lines


def read_lines(path: str) -> list[str]:
    """Lines of a UTF-8 file (a leading BOM, as Excel writes, is dropped) or of stdin for ``-``."""
    if path == "-":
        text = sys.stdin.buffer.read().decode("utf-8-sig")
    else:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    return text.splitlines()


class Command(BaseCommand):
    help = "纳税人识别号与身份证号码校验 / check USCCs, ID numbers and legacy taxpayer numbers"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="classify and validate one identifier per line; print CSV")
        check.add_argument("file", help="UTF-8 text file, or - for stdin")

    def handle(self, *args, action, file, **opts):
        try:
            lines = read_lines(file)
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise CommandError(f"无法读取 {file}（应为UTF-8文本文件）/ "
                               f"cannot read {file} (expected a UTF-8 text file): {reason}",
                               returncode=2) from exc
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        writer.writerows(check_lines(lines))
        self.stdout.write(out.getvalue(), ending="")
