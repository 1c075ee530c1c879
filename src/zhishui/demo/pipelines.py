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


def _registry(**options) -> dict | None:
    from zhishui.registry.demo import load_demo_district

    return load_demo_district(**options)


PIPELINES.append(Pipeline("演示区数据：生成并按数据交换格式导入 / demo district: generate and import the feeds", _registry))


def _district(**options) -> dict | None:
    from zhishui.demo.district import prepare

    return prepare(**options)


PIPELINES.append(Pipeline("合成区县：生成并导入 / the synthetic district: generate and import", _district))


def _reform(**options) -> dict | None:
    from zhishui.reform.demo import seed

    return seed(**options)


def _reform_accounts() -> None:
    from zhishui.reform.demo import bind_demo_liaison

    bind_demo_liaison()


PIPELINES.append(Pipeline("改革工作专班：工作方案与演示进展 / reform task force: the plan and a demo history", _reform,
                          _reform_accounts))
