"""Fixtures for the page tests: the in-process app, seen through people's browsers."""

from __future__ import annotations

import pytest
from testkit.http import Api
from testkit.pages import Site
from testkit.world import World


@pytest.fixture
def site(api: Api, world: World) -> Site:
    return Site(api, world, api.client.app)
