"""The set-up steps ``zhishui demo`` runs, in order. Each app that has data to load or a pipeline to
run adds a step here; a step returns facts the demo needs later (e.g. which taxpayer the demo
taxpayer account is bound to). ``after_accounts`` runs once the demo accounts exist (e.g. to bind the
demo liaison to its unit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Pipeline:
    title: str
    run: Callable[..., dict | None]
    after_accounts: Callable[[], None] | None = None


PIPELINES: list[Pipeline] = []


def _district(**options) -> dict | None:
    from zhishui.demo.district import prepare

    return prepare(**options)


PIPELINES.append(Pipeline("合成区县：生成并导入 / the synthetic district: generate and import", _district))


def _invoicing(stdout=None, **options) -> dict | None:
    from zhishui.invoicing.demo import prepare
    from zhishui.invoicing.models import Invoice

    if Invoice.objects.exists():  # a second run reuses what is there
        if stdout:
            stdout.write("    已有开具的发票，沿用 / invoices already issued, reused")
        return None
    summary = prepare()
    if stdout:
        stdout.write(f"    {summary['credit_lines']} 户发票总额度，{summary['invoices']} 张示例发票 / credit lines and "
                     "sample invoices ready")
    return None


PIPELINES.append(Pipeline("电子发票：签名密钥、发票总额度与示例发票 / e-invoices: signing key, credit lines, sample "
                          "invoices", _invoicing))


def _reform(**options) -> dict | None:
    from zhishui.reform.demo import seed

    return seed(**options)


def _reform_accounts() -> None:
    from zhishui.reform.demo import bind_demo_liaison

    bind_demo_liaison()


PIPELINES.append(Pipeline("改革工作专班：工作方案与演示进展 / reform task force: the plan and a demo history", _reform,
                          _reform_accounts))
