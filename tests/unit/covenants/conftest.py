from __future__ import annotations

import pytest

from tests.unit.covenants.builders import build_world


@pytest.fixture
def world(session, make_account):
    return build_world(session, make_account)
