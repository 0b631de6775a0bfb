"""User administration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from owed.domain.auth import Permission, check_role_combination, parse_roles
from owed.domain.errors import InvalidInput, NotFound
from owed.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class AddUser:
    username: str
    roles: tuple[str, ...]
    display_name: str = ""
    email: str | None = None


def add_user(cmd: AddUser, uow: UnitOfWork) -> None:
    with uow:
        uow.require(Permission.MANAGE_USERS)
        username = cmd.username.strip()
        if not username or " " in username:
            raise InvalidInput(f"username {cmd.username!r} must be one word")
        roles = parse_roles(cmd.roles)
        check_role_combination(roles, uow.company.allow_combined_duties)
        uow.users.add(username, cmd.display_name or username, cmd.email, roles, uow.now())
        uow.audit(
            "user.add",
            "user",
            username,
            after={"roles": sorted(r.value for r in roles), "email": cmd.email},
        )
        uow.commit()


@dataclass(frozen=True)
class SetRoles:
    username: str
    roles: tuple[str, ...]


def set_roles(cmd: SetRoles, uow: UnitOfWork) -> None:
    with uow:
        uow.require(Permission.MANAGE_USERS)
        current = uow.users.get(cmd.username)
        if current is None:
            raise NotFound("user", cmd.username)
        roles = parse_roles(cmd.roles)
        check_role_combination(roles, uow.company.allow_combined_duties)
        uow.users.set_roles(cmd.username, roles)
        uow.audit(
            "user.set_roles",
            "user",
            cmd.username,
            before={"roles": sorted(r.value for r in current.roles)},
            after={"roles": sorted(r.value for r in roles)},
        )
        uow.commit()


def list_users(uow: UnitOfWork) -> list[dict[str, Any]]:
    with uow:
        uow.require(Permission.READ)
        users: list[dict[str, Any]] = uow.users.list()
        return users
