"""``zhishui totp USERNAME``: print a staff account's current dynamic code.

For the demo and for operators with shell access to the server (who could read the key from the
database anyway); each use is audited.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhishui.core import audit
from zhishui.core.models import User


class Command(BaseCommand):
    help = "打印账户当前动态口令（演示、运维用）/ print an account's current TOTP code (demo and operators)"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **opts):
        user = User.objects.filter(username=username).first()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
        if device is None:
            raise CommandError(f"账户 {username} 没有已启用的动态口令 / {username} has no confirmed TOTP device",
                               returncode=2)
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        audit.record("auth.otp_code_shown", actor=user, obj=user, username="cli", detail={"via": "zhishui totp"})
        self.stdout.write(f"{code:0{device.digits}d}")
