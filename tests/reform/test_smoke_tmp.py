import pytest
from tests.conftest import login
from tests.reform.conftest import liaison_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/reform/", "/reform/tasks/", "/reform/tasks/1/", "/reform/supervision/", "/reform/review/",
                                  "/reform/meetings/", "/reform/research/", "/reform/liaisons/", "/reform/export/", "/reform/inbox/",
                                  "/reform/items/1/", "/"])
def test_pages(client, plan, office, today, path):
    liaison_of(plan, "tax")
    login(client, office)
    r = client.get(path)
    assert r.status_code == 200, r.content.decode()[:3000]
