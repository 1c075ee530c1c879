"""Invoicing fixtures: the seller/buyer registry (through ``parties.use_provider``) and accounts."""

from __future__ import annotations

import pytest

from tests.conftest import make_user
from tests.invoicing.helpers import BUYER, PARTIES, SELLER
from zhishui.invoicing import parties


@pytest.fixture(autouse=True)
def registry_parties():
    """The taxpayers of the tests, answered through the one door invoicing uses to the registry."""
    with parties.use_provider(PARTIES.get):
        yield PARTIES


@pytest.fixture
def seller_user(db):
    return make_user("seller", "taxpayer", taxpayer_id=SELLER)


@pytest.fixture
def buyer_user(db):
    return make_user("buyer", "taxpayer", taxpayer_id=BUYER)
