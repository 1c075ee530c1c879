"""``zhishui demo``: the README's "run it" command.

Creates the embedded database, loads what there is to load, creates one demo account per role
and serves on 127.0.0.1. A second run reuses what is there.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from zhishui.demo import pipelines
from zhishui.demo.accounts import ensure_demo_accounts


class Command(BaseCommand):
    help = "建立并运行演示区 / set up and serve the demo district"

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.1, help="district size (1.0 = a full district)")
        parser.add_argument("--seed", type=int, default=610303)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="set up only, do not start the server")

    def handle(self, *args, scale, seed, port, no_serve, **opts):
        started = time.monotonic()
        self.stdout.write("==> 数据库迁移 / migrating the database")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        binding = {}
        for pipeline in pipelines.PIPELINES:
            self.stdout.write(f"==> {pipeline.title}")
            result = pipeline.run(scale=scale, seed=seed, stdout=self.stdout) or {}
            binding.update(result)
        accounts = ensure_demo_accounts(binding.get("taxpayer_id", ""), binding.get("taxpayer_name", ""))
        for pipeline in pipelines.PIPELINES:
            if pipeline.after_accounts is not None:
                pipeline.after_accounts()
        self.stdout.write(f"==> 准备完成，用时 {time.monotonic() - started:.0f} 秒 / set-up took "
                          f"{time.monotonic() - started:.0f} s")
        self._print_accounts(accounts, port)
        if not no_serve:
            call_command("serve", bind=f"127.0.0.1:{port}", workers=2)

    def _print_accounts(self, accounts, port):
        w = self.stdout.write
        w("")
        w(f"智税 演示区 / zhishui demo district: http://127.0.0.1:{port}/  (数据库 / database: "
          f"{settings.DATABASES['default']['NAME']})")
        w("演示账户（仅供演示，切勿用于生产）/ demo accounts (DEMO ONLY — never use in production):")
        w(f"  {'用户名 username':<24}{'密码 password':<22}角色 role")
        for a in accounts:
            note = f"  ({a['note']})" if a["note"] else ""
            w(f"  {a['username']:<24}{a['password']:<22}{a['role']} / {a['role_en']}{note}")
        w("工作人员登录后需输入动态口令；在另一终端运行 `.venv/bin/zhishui totp 用户名` 取得当前口令。")
        w("Staff sign-in asks for a TOTP code: run `.venv/bin/zhishui totp USERNAME` in another terminal.")
