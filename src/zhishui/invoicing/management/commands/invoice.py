"""``zhishui invoice``: verify an invoice file, verify the ledger, void stale red-letter forms, rotate the key."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhishui.core.errors import ValidationFailure


class Command(BaseCommand):
    help = "电子发票 / e-invoices: verify FILE, verify-ledger, expire-red-requests, rotate-key"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="verify an invoice XML or OFD file; exit 0 only if every check passes")
        verify.add_argument("file")
        ledger = sub.add_parser("verify-ledger", help="walk the invoice ledger and name the first inconsistency")
        ledger.add_argument("--series", default=None, help="only this series (yy + province + channel)")
        ledger.add_argument("--no-signatures", action="store_true", help="skip the SM2 signature checks (faster)")
        sub.add_parser("expire-red-requests", help="void red-letter forms left unconfirmed past their 72 hours")
        rotate = sub.add_parser("rotate-key", help="generate a new signing key and retire the current one")
        rotate.add_argument("--reason", default="", help="why (recorded in the audit trail)")

    def handle(self, *args, action, **opts):
        if action == "verify":
            return self._verify(opts["file"])
        if action == "verify-ledger":
            return self._ledger(opts["series"], not opts["no_signatures"])
        if action == "expire-red-requests":
            from zhishui.invoicing.services import expire_red_requests

            count = expire_red_requests()
            self.stdout.write(f"已作废 {count} 张超时未确认的红字发票信息确认单 / voided {count} forms")
            return None
        from zhishui.invoicing import signing

        key = signing.rotate(reason=opts["reason"] or "zhishui invoice rotate-key")
        self.stdout.write(f"新签名密钥 / new signing key: {key.key_id}\nSM2 公钥 / public key: {key.public_key}")
        return None

    def _verify(self, name: str):
        from zhishui.invoicing import verification

        path = Path(name)
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {name}", returncode=2)
        try:
            report = verification.verify_file(path.name, path.read_bytes())
        except ValidationFailure as exc:
            verification.log("cli", "cli", None, "rejected")
            for err in exc.errors:
                self.stderr.write(f"{err.field}: {err.message_zh} / {err.message_en}")
            raise CommandError("文件无法查验 / the file cannot be verified", returncode=1) from exc
        verification.log("cli", "cli", report)
        fields = report.fields
        self.stdout.write(f"发票号码 / number: {fields.get('number', '')}"
                          + (f"  发票代码 / code: {fields['invoice_code']}" if fields.get("invoice_code") else ""))
        for key, label in (("title", "票种 / type"), ("issue_date", "开票日期 / date"),
                           ("seller_name", "销售方 / seller"), ("seller_id", "销售方识别号 / seller id"),
                           ("buyer_name", "购买方 / buyer"),
                           ("amount", "金额 / amount"), ("tax", "税额 / tax"), ("total", "价税合计 / total"),
                           ("lines", "明细行数 / lines"), ("red_of", "对应蓝字发票 / reverses")):
            if fields.get(key) not in (None, ""):
                self.stdout.write(f"{label}: {fields[key]}")
        if report.status:
            self.stdout.write(f"状态 / status: {report.status}")
        for check in report.checks:
            mark = {True: "OK  ", False: "FAIL", None: "----"}[check.ok]
            self.stdout.write(f"[{mark}] {check.label_zh} / {check.label_en}" + (f": {check.detail}" if check.detail
                                                                                 else ""))
        for note in report.notes:
            self.stdout.write(f"[注意 / note] {note}")
        if not report.ok:
            raise CommandError(f"查验未通过 / verification failed: {len(report.failed())} check(s)", returncode=1)
        self.stdout.write(f"全部 {len([c for c in report.checks if c.ok])} 项检查通过 / all checks passed")
        return None

    def _ledger(self, series: str | None, signatures: bool):
        from zhishui.invoicing.ledger import verify_ledger

        report = verify_ledger(series, check_signatures=signatures)
        for key, count in report.series.items():
            self.stdout.write(f"号段 / series {key}: {count} 张 / invoices checked")
        if report.ok:
            self.stdout.write(f"发票台账完整 / ledger intact: {report.checked} invoices verified")
            return None
        raise CommandError(f"发票台账在号段 {report.broken_series} 第 {report.broken_seq} 号处不一致 / "
                           f"ledger broken at series {report.broken_series} seq {report.broken_seq} "
                           f"{report.broken_number}: {report.problem}", returncode=1)
