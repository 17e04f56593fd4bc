"""Permission predicates, as a role × question matrix."""

import pytest

from civic.auth.identity import ANONYMOUS, CurrentUser, Grant
from civic.auth.models import Role, ScopeType
from civic.auth.permissions import has_scoped_role, is_admin, is_staff_anywhere, is_staff_of_place


def user(*grants: tuple[str, str, int]) -> CurrentUser:
    return CurrentUser(id=1, display_name="x", locale=None, person_id=None,
                       grants=frozenset(Grant(*g) for g in grants))


ADMIN = user((Role.administrator, ScopeType.global_, 0))
STAFF_4 = user((Role.staff, ScopeType.place, 4))
JUDGE_3 = user((Role.judge, ScopeType.contest, 3))
RESIDENT = user()
# A grant whose scope type does not match the role must not count (bad data, not a permission).
STAFF_WRONG_SCOPE = user((Role.staff, ScopeType.contest, 4))


@pytest.mark.parametrize(("who", "expected"), [
    (ADMIN, True), (STAFF_4, False), (JUDGE_3, False), (RESIDENT, False), (ANONYMOUS, False),
    (user((Role.administrator, ScopeType.place, 1)), False),
])
def test_is_admin(who, expected):
    assert is_admin(who) is expected


@pytest.mark.parametrize(("who", "role", "scope_type", "scope_id", "expected"), [
    (JUDGE_3, Role.judge, ScopeType.contest, 3, True),
    (JUDGE_3, Role.judge, ScopeType.contest, 4, False),
    (JUDGE_3, Role.planner, ScopeType.planning_project, 3, False),
    (STAFF_4, Role.judge, ScopeType.contest, 3, False),
    (ADMIN, Role.judge, ScopeType.contest, 3, True),
    (RESIDENT, Role.judge, ScopeType.contest, 3, False),
    (ANONYMOUS, Role.judge, ScopeType.contest, 3, False),
])
def test_has_scoped_role(who, role, scope_type, scope_id, expected):
    assert has_scoped_role(who, role, scope_type, scope_id) is expected


@pytest.mark.parametrize(("who", "path", "expected"), [
    (STAFF_4, "/1/4/", True),  # the place itself
    (STAFF_4, "/1/4/9/", True),  # a building inside it
    (STAFF_4, "/1/4/9/31/", True),
    (STAFF_4, "/1/", False),  # its parent
    (STAFF_4, "/1/5/", False),  # a sibling
    (STAFF_4, "/1/44/", False),  # 44 is not 4: ids are matched whole
    (STAFF_4, "/14/", False),
    (STAFF_4, "", False),
    (STAFF_WRONG_SCOPE, "/1/4/", False),
    (ADMIN, "/1/5/7/", True),
    (JUDGE_3, "/1/3/", False),
    (ANONYMOUS, "/1/4/", False),
])
def test_is_staff_of_place(who, path, expected):
    assert is_staff_of_place(who, path) is expected


def test_is_staff_anywhere():
    assert is_staff_anywhere(STAFF_4) and is_staff_anywhere(ADMIN)
    assert not is_staff_anywhere(JUDGE_3) and not is_staff_anywhere(ANONYMOUS)
    assert not is_staff_anywhere(STAFF_WRONG_SCOPE)
