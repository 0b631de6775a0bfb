"""Roles, permissions and segregation of duties."""

from __future__ import annotations

import pytest

from owed.domain.auth import (
    CONFLICTING_ROLES,
    ROLE_PERMISSIONS,
    Actor,
    Permission,
    Role,
    check_different_people,
    check_permission,
    check_role_combination,
    parse_roles,
)
from owed.domain.errors import InvalidInput, NotPermitted, SegregationOfDuties

P = Permission


def actor(*roles: Role, name: str = "pat") -> Actor:
    return Actor(1, name, frozenset(roles))


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            Role.CLERK,
            {P.BILL, P.POST_CASH, P.APPLY_CASH, P.IMPORT_AR, P.COLLECT},
            {P.APPROVE, P.POST_JOURNAL, P.CLOSE_PERIOD, P.MANAGE_USERS, P.VIEW_SENSITIVE},
        ),
        (
            Role.SPECIALIST,
            {P.APPLY_CASH, P.MANAGE_DISPUTES, P.REQUEST_WRITE_OFF},
            {P.APPROVE, P.BILL, P.POST_JOURNAL, P.CLOSE_PERIOD, P.MANAGE_USERS},
        ),
        (
            Role.ANALYST,
            {P.READ, P.REPORT},
            {P.POST_JOURNAL, P.BILL, P.APPLY_CASH, P.CLOSE_PERIOD, P.VIEW_SENSITIVE},
        ),
        (
            Role.LEAD,
            {P.APPROVE, P.POST_JOURNAL, P.CLOSE_PERIOD, P.CONFIGURE},
            {P.BILL, P.POST_CASH, P.APPLY_CASH, P.MANAGE_USERS},
        ),
        (Role.ADMIN, set(Permission), set()),
        (
            Role.AUDITOR,
            {P.READ, P.REPORT, P.VIEW_SENSITIVE},
            {P.POST_JOURNAL, P.BILL, P.APPROVE, P.CLOSE_PERIOD, P.MANAGE_USERS, P.APPLY_CASH},
        ),
    ],
)
def test_role_permissions(role: Role, allowed: set[Permission], refused: set[Permission]) -> None:
    a = actor(role)
    for permission in allowed:
        assert a.can(permission), f"{role} should {permission}"
        check_permission(a, permission)
    for permission in refused:
        assert not a.can(permission), f"{role} should not {permission}"


def test_every_role_can_read_and_only_admin_manages_users() -> None:
    for role in Role:
        assert P.READ in ROLE_PERMISSIONS[role]
    assert [r for r in Role if P.MANAGE_USERS in ROLE_PERMISSIONS[r]] == [Role.ADMIN]
    assert ROLE_PERMISSIONS[Role.AUDITOR] <= ROLE_PERMISSIONS[Role.LEAD] | {P.VIEW_SENSITIVE}


def test_permissions_of_several_roles_are_the_union() -> None:
    both = actor(Role.CLERK, Role.ANALYST)
    assert both.permissions == ROLE_PERMISSIONS[Role.CLERK] | ROLE_PERMISSIONS[Role.ANALYST]
    assert actor().permissions == frozenset()


def test_check_permission_raises_not_permitted_naming_user_permission_and_roles() -> None:
    with pytest.raises(NotPermitted) as info:
        check_permission(actor(Role.ANALYST, name="ann"), P.POST_JOURNAL)
    message = str(info.value)
    assert "'ann'" in message
    assert P.POST_JOURNAL.value in message
    assert "analyst" in message
    assert info.value.fields == {"user": "ann", "permission": P.POST_JOURNAL.value}
    assert not isinstance(info.value, SegregationOfDuties)


def test_user_without_roles_is_refused_everything() -> None:
    with pytest.raises(NotPermitted, match="roles held: none"):
        check_permission(actor(), P.READ)


NON_AUDITOR_CONFLICTS = [(a, b) for a, b, _ in CONFLICTING_ROLES if Role.AUDITOR not in (a, b)]
AUDITOR_CONFLICTS = [(a, b) for a, b, _ in CONFLICTING_ROLES if Role.AUDITOR in (a, b)]


def test_the_conflicts_cover_billing_against_approving_and_auditors_against_all() -> None:
    assert (Role.CLERK, Role.LEAD) in NON_AUDITOR_CONFLICTS
    partners = {b if a is Role.AUDITOR else a for a, b in AUDITOR_CONFLICTS}
    assert partners == set(Role) - {Role.AUDITOR, Role.ANALYST}


@pytest.mark.parametrize(("a", "b"), NON_AUDITOR_CONFLICTS)
def test_conflicting_roles_are_refused_unless_combined_duties_are_allowed(a: Role, b: Role) -> None:
    with pytest.raises(SegregationOfDuties) as info:
        check_role_combination(frozenset({a, b}), allow_combined_duties=False)
    assert a.value in str(info.value) and b.value in str(info.value)
    assert info.value.rule
    check_role_combination(frozenset({a, b}), allow_combined_duties=True)


@pytest.mark.parametrize("allowed", [False, True])
@pytest.mark.parametrize(("a", "b"), AUDITOR_CONFLICTS)
def test_auditor_with_any_other_duty_is_always_refused(a: Role, b: Role, allowed: bool) -> None:
    with pytest.raises(SegregationOfDuties, match="auditors only read"):
        check_role_combination(frozenset({a, b}), allow_combined_duties=allowed)


@pytest.mark.parametrize(
    "roles",
    [
        {Role.CLERK},
        {Role.LEAD},
        {Role.ADMIN},
        {Role.AUDITOR},
        {Role.AUDITOR, Role.ANALYST},
        {Role.CLERK, Role.SPECIALIST},
        {Role.LEAD, Role.SPECIALIST},
        {Role.ANALYST, Role.CLERK},
    ],
)
def test_compatible_roles_pass_even_when_duties_must_be_separated(roles: set[Role]) -> None:
    check_role_combination(frozenset(roles), allow_combined_duties=False)


def test_a_third_role_does_not_hide_a_conflict() -> None:
    with pytest.raises(SegregationOfDuties):
        check_role_combination(frozenset({Role.ANALYST, Role.CLERK, Role.LEAD}), False)


def test_check_different_people() -> None:
    lead = actor(Role.LEAD, name="lee")
    check_different_people(lead, "carl", P.APPROVE.value, "no self-approval")
    check_different_people(lead, None, P.APPROVE.value, "no self-approval")
    with pytest.raises(SegregationOfDuties, match="no self-approval") as info:
        check_different_people(lead, "lee", P.APPROVE.value, "no self-approval")
    assert isinstance(info.value, NotPermitted)
    assert info.value.fields["user"] == "lee"


def test_parse_roles() -> None:
    assert parse_roles([" Clerk", "LEAD", ""]) == frozenset({Role.CLERK, Role.LEAD})
    with pytest.raises(InvalidInput, match="unknown role 'boss'"):
        parse_roles(["boss"])
    with pytest.raises(InvalidInput, match="at least one role"):
        parse_roles([])
    with pytest.raises(InvalidInput):
        parse_roles(["", "  "])
