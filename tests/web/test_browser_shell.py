import pytest

from tests.browser import page, sign_in  # noqa: F401 - fixture
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_staff_signs_in_with_totp_switches_language_and_reaches_home(page, live_server):  # noqa: F811
    user = make_user("leader1", "leader")
    sign_in(page, live_server, user)
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text().startswith("欢迎")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    with page.expect_navigation():
        page.get_by_test_id("lang-switch").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Welcome")
    page.get_by_role("link", name="About").first.click()
    page.wait_for_url("**/about/")
    assert page.locator("details").count() == 27
    with page.expect_navigation():
        page.get_by_test_id("lang-switch").click()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "关于智税"
