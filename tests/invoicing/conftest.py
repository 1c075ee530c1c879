"""Invoicing fixtures: the seller/buyer registry (through ``parties.use_provider``) and accounts."""

from __future__ import annotations

import pytest

from tests.conftest import make_user
from tests.invoicing.helpers import BUYER, PARTIES, SELLER
from zhishui.invoicing import parties


@pytest.fixture(autouse=True)
def registry_parties(request):
    """The taxpayers of the tests, answered through the one door invoicing uses to the registry.

    Tests that load a real registry (fixture ``registry_loaded``) read it instead."""
    if "registry_loaded" in request.fixturenames:
        yield None
        return
    with parties.use_provider(PARTIES.get):
        yield PARTIES


@pytest.fixture
def registry_loaded(db, tmp_path):
    """The registry's own small feed directory, imported through the registry's importer."""
    from tests.registry import feedkit
    from zhishui.registry.importer import import_directory

    report = import_directory(feedkit.write_all(tmp_path / "feeds"), by="test")
    assert report.status == "ok", [p.text() for f in report.files for p in f.problems]
    return feedkit


@pytest.fixture
def seller_user(db):
    return make_user("seller", "taxpayer", taxpayer_id=SELLER)


@pytest.fixture
def buyer_user(db):
    return make_user("buyer", "taxpayer", taxpayer_id=BUYER)
