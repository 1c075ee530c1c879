"""Shared Playwright set-up: Debian's chromium, headless, against pytest-django's live server.

Use the ``page`` fixture (import it into a test module with ``from tests.browser import page``) and
``sign_in(page, live_server, user)``. Browser tests are marked ``browser`` and use a transactional
database, because the live server runs in another thread.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import PASSWORD, current_code

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture
def page(transactional_db):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is missing: run `python3 run.py test`, which installs it")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        # No request may leave the machine: anything but the live server is a failure.
        blocked: list[str] = []

        def guard(route):
            url = route.request.url
            if url.startswith(("http://localhost", "http://127.0.0.1", "data:", "blob:")):
                route.continue_()
            else:
                blocked.append(url)
                route.abort()

        context.route("**/*", guard)
        pg = context.new_page()
        pg.set_default_timeout(15_000)
        yield pg
        context.close()
        browser.close()
        assert blocked == [], f"pages tried to reach outside the machine: {blocked}"


def sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    if user.is_staff_role:
        page.wait_for_url("**/accounts/otp/**")
        page.get_by_label("动态口令").fill(current_code(user))
        page.get_by_role("button", name="确认").click()
    page.wait_for_load_state()
