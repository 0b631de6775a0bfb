"""Users, roles, permissions and segregation of duties.

Every use case names the permission it needs and calls ``check_permission``.
Roles are bundles of permissions. Segregation of duties is enforced twice:

* **per role assignment**: a user may not hold two roles whose duties
  conflict (see ``CONFLICTING_ROLES``) unless the company allows it
  (small teams), in which case every per-document rule below still holds;
* **per document**: nobody approves what they requested
  (``check_different_people``), and the person who billed a customer's
  invoice does not apply cash to it or write it off by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from owed.domain.errors import InvalidInput, NotPermitted, SegregationOfDuties


class Role(StrEnum):
    CLERK = "clerk"
    SPECIALIST = "specialist"
    ANALYST = "analyst"
    LEAD = "lead"
    ADMIN = "admin"
    AUDITOR = "auditor"


class Permission(StrEnum):
    READ = "read"
    VIEW_SENSITIVE = "view sensitive data"  # bank details, personal data unmasked
    MANAGE_USERS = "manage users"
    CONFIGURE = "configure the company"
    MANAGE_CUSTOMERS = "manage customers"
    BILL = "issue invoices and memos"
    IMPORT_AR = "import open receivables"
    POST_CASH = "import and post receipts"
    APPLY_CASH = "apply cash"
    COLLECT = "run collections"
    MANAGE_DISPUTES = "manage disputes"
    MANAGE_CREDIT = "manage credit limits and holds"
    REQUEST_WRITE_OFF = "request write-offs"
    APPROVE = "approve write-offs, credits and hold releases"
    POST_JOURNAL = "post manual journal entries"
    CLOSE_PERIOD = "close and reopen periods"
    REPORT = "run reports"


_ALL = frozenset(Permission)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset(
        {
            Permission.READ,
            Permission.REPORT,
            Permission.MANAGE_CUSTOMERS,
            Permission.BILL,
            Permission.IMPORT_AR,
            Permission.POST_CASH,
            Permission.APPLY_CASH,
            Permission.COLLECT,
        }
    ),
    Role.SPECIALIST: frozenset(
        {
            Permission.READ,
            Permission.REPORT,
            Permission.VIEW_SENSITIVE,
            Permission.APPLY_CASH,
            Permission.COLLECT,
            Permission.MANAGE_DISPUTES,
            Permission.MANAGE_CREDIT,
            Permission.REQUEST_WRITE_OFF,
            Permission.MANAGE_CUSTOMERS,
        }
    ),
    Role.ANALYST: frozenset({Permission.READ, Permission.REPORT}),
    Role.LEAD: frozenset(
        {
            Permission.READ,
            Permission.REPORT,
            Permission.VIEW_SENSITIVE,
            Permission.APPROVE,
            Permission.POST_JOURNAL,
            Permission.CLOSE_PERIOD,
            Permission.MANAGE_CREDIT,
            Permission.REQUEST_WRITE_OFF,
            Permission.MANAGE_DISPUTES,
            Permission.CONFIGURE,
        }
    ),
    Role.ADMIN: _ALL,
    Role.AUDITOR: frozenset({Permission.READ, Permission.REPORT, Permission.VIEW_SENSITIVE}),
}

# Pairs of roles one person should not hold: the one who books (bills or posts
# cash) is not the one who approves.
CONFLICTING_ROLES: tuple[tuple[Role, Role, str], ...] = (
    (Role.CLERK, Role.LEAD, "whoever bills or posts cash does not approve"),
    (Role.AUDITOR, Role.CLERK, "auditors only read"),
    (Role.AUDITOR, Role.SPECIALIST, "auditors only read"),
    (Role.AUDITOR, Role.LEAD, "auditors only read"),
    (Role.AUDITOR, Role.ADMIN, "auditors only read"),
)


@dataclass(frozen=True)
class Actor:
    """The user a use case runs as."""

    id: int
    username: str
    roles: frozenset[Role]

    @property
    def permissions(self) -> frozenset[Permission]:
        perms: set[Permission] = set()
        for role in self.roles:
            perms |= ROLE_PERMISSIONS[role]
        return frozenset(perms)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


SYSTEM_USERNAME = "owed-system"


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    roles: set[Role] = set()
    for name in names:
        key = name.strip().lower()
        if not key:
            continue
        try:
            roles.add(Role(key))
        except ValueError:
            valid = ", ".join(r.value for r in Role)
            raise InvalidInput(f"unknown role {name!r}; roles are: {valid}") from None
    if not roles:
        raise InvalidInput("a user needs at least one role")
    return frozenset(roles)


def check_permission(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        roles = ", ".join(sorted(r.value for r in actor.roles)) or "none"
        raise NotPermitted(actor.username, permission.value, f"roles held: {roles}")


def check_role_combination(roles: frozenset[Role], allow_combined_duties: bool) -> None:
    """Refuse a role set that breaks segregation of duties."""
    for a, b, why in CONFLICTING_ROLES:
        if a in roles and b in roles:
            if allow_combined_duties and Role.AUDITOR not in (a, b):
                continue
            raise SegregationOfDuties("(assignment)", f"hold roles {a} and {b}", why)


def check_different_people(
    actor: Actor, other_username: str | None, permission: str, rule: str
) -> None:
    """The acting user must not be ``other_username`` (e.g. the requester)."""
    if other_username is not None and actor.username == other_username:
        raise SegregationOfDuties(actor.username, permission, rule)
