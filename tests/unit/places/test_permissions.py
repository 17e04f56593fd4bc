"""Who may manage a place: staff of it or of an ancestor, or an administrator."""

import pytest

from civic.places.rules import Viewer, can_manage, path_ids


def test_path_ids():
    assert path_ids("/1/4/9/") == [1, 4, 9]
    assert path_ids("/") == []


@pytest.mark.parametrize(("viewer", "path", "allowed"), [
    (Viewer(1, admin=True), "/1/4/9/", True),
    (Viewer(1, staff_place_ids=frozenset({4})), "/1/4/9/", True),  # staff of an ancestor
    (Viewer(1, staff_place_ids=frozenset({9})), "/1/4/9/", True),  # staff of the place itself
    (Viewer(1, staff_place_ids=frozenset({9})), "/1/4/", False),  # staff of a child: not the parent
    (Viewer(1, staff_place_ids=frozenset({19})), "/1/4/9/", False),  # digits must match a whole segment
    (Viewer(1, staff_place_ids=frozenset({5})), "/1/4/9/", False),
    (Viewer(1), "/1/4/9/", False),
    (Viewer(None), "/1/", False),
])
def test_can_manage(viewer, path, allowed):
    assert can_manage(viewer, path) is allowed
