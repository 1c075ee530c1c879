"""The web shell: pages per role, language switch, about page, no external resources, catalogs."""

import re
from pathlib import Path

import polib
import pytest

from tests.conftest import login, make_user
from zhishui import config

SRC = Path(__file__).resolve().parents[2] / "src" / "zhishui"

pytestmark = pytest.mark.django_db


def test_home_shows_real_counts_for_the_security_admin(client):
    sec = make_user("sec", "secadmin")
    login(client, sec)
    from zhishui.core.models import AuditEvent

    failed = AuditEvent.objects.filter(action="auth.login_failed").count()
    page = client.get("/").content.decode()
    assert 'data-widget="locked_accounts"' in page and 'data-widget="failed_logins"' in page
    assert re.search(r'data-widget="failed_logins".*?<a href="/audit/">' + str(failed) + "</a>", page, re.S)


def test_navigation_follows_the_role(client):
    login(client, make_user("aud", "auditor"))
    page = client.get("/").content.decode()
    assert 'href="/audit/"' in page and 'href="/admin/users/"' not in page


def test_language_switch_to_english_and_back(client):
    login(client, make_user("tp", "taxpayer", taxpayer_id="914403001922038216"))
    assert "首页" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="en"' in page and "Home" in page and "Sign out" in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "退出" in client.get("/").content.decode()


def test_about_page_lists_the_27_tasks_with_coverage(client):
    page = client.get("/about/").content.decode()
    assert page.count("<details>") == 27
    assert "积极推进智慧税务建设" in page
    assert "宝金政办函〔2022〕1号" in page


def test_404_and_403_pages_are_in_the_shell(client):
    login(client, make_user("tp2", "taxpayer", taxpayer_id="914403001922038216"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    response = client.get("/audit/")
    assert response.status_code == 403 and "无权访问" in response.content.decode()


_EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|@import\s+url\(\s*["']?https?://|url\(\s*["']?https?://""",
                       re.I)


def test_no_template_or_stylesheet_references_an_external_url():
    offenders = []
    for path in SRC.rglob("*"):
        if path.suffix in {".html", ".css"} or (path.suffix == ".js" and "vendor" not in path.parts):
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [f"{path}: {m.group(0)}" for m in _EXTERNAL.finditer(text)]
    assert offenders == []


def test_vendored_assets_are_referenced_locally():
    base = (SRC / "web" / "templates" / "web" / "base.html").read_text()
    assert "{% static 'vendor/htmx-2.0.11.min.js' %}" in base
    assert (SRC / "web" / "static" / "vendor" / "htmx-2.0.11.min.js").stat().st_size > 10_000


_MSG = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")


def _catalog(app_dir: Path) -> dict:
    po = app_dir / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    return {e.msgid: e for e in polib.pofile(str(po))} if po.exists() else {}


@pytest.mark.parametrize("app_dir", sorted(p for p in SRC.iterdir() if (p / "templates").exists()),
                         ids=lambda p: p.name)
def test_every_template_string_has_its_chinese_translation(app_dir):
    catalog = _catalog(app_dir)
    missing = []
    for template in (app_dir / "templates").rglob("*.html"):
        for match in _MSG.finditer(template.read_text(encoding="utf-8")):
            entry = catalog.get(match.group(2))
            if entry is None or not (entry.msgstr or entry.msgstr_plural) or "fuzzy" in entry.flags:
                missing.append(f"{template.name}: {match.group(2)}")
    assert missing == []


@pytest.mark.parametrize("po_path", sorted(SRC.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")),
                         ids=lambda p: p.parts[-5])
def test_catalogs_are_complete_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    assert po.untranslated_entries() == [] and po.fuzzy_entries() == []
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in mo if e.msgid} == {e.msgid: e.msgstr for e in po if not e.obsolete
                                                          and not e.msgid_plural}, "run compilemessages"


def test_settings_doc_lists_every_setting():
    doc = (SRC.parents[1] / "docs" / "settings.md").read_text()
    documented = set(re.findall(r"\| `(ZHISHUI_[A-Z_]+)` \|", doc))
    assert documented == set(config.SETTINGS)


def test_every_zhishui_command_is_documented():
    doc = (SRC.parents[1] / "docs" / "cli.md").read_text()
    commands = {p.stem for p in SRC.glob("*/management/commands/*.py") if not p.stem.startswith("_")}
    undocumented = sorted(c for c in commands if f"## `zhishui {c}`" not in doc)
    assert undocumented == []
