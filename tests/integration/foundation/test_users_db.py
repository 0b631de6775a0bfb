"""Users and roles on a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from owed.domain.auth import Role
from owed.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted, SegregationOfDuties
from owed.services import users
from owed.services.users import AddUser, SetRoles
from tests.conftest import Env, make_env
from tests.integration.foundation.builders import snapshot


def test_add_user_then_act_as_them(env: Env) -> None:
    users.add_user(
        AddUser("carl", ("clerk", "specialist"), "Carl Clerk", "carl@example.com"), env.uow()
    )
    listed = {u["username"]: u for u in users.list_users(env.uow())}
    assert set(listed) == {"admin", "carl"}
    assert listed["carl"]["roles"] == "clerk,specialist"
    assert listed["carl"]["display_name"] == "Carl Clerk"
    assert listed["carl"]["email"] == "carl@example.com"
    with env.uow("carl") as uow:
        assert uow.actor.username == "carl"
        assert uow.actor.roles == frozenset({Role.CLERK, Role.SPECIALIST})


def test_duplicate_user_is_a_conflict_and_changes_nothing(env: Env) -> None:
    env.add_user("carl", "clerk")
    before = snapshot(env)
    with pytest.raises(Conflict):
        env.add_user("carl", "analyst")
    assert snapshot(env) == before
    with env.uow("carl") as uow:
        assert uow.actor.roles == frozenset({Role.CLERK})


def test_the_same_username_may_exist_in_two_companies(engine: Engine, env: Env) -> None:
    other = make_env(engine)
    env.add_user("carl", "clerk")
    other.add_user("carl", "lead")
    with other.uow("carl") as uow:
        assert uow.actor.roles == frozenset({Role.LEAD})


def test_conflicting_roles_are_refused_when_duties_must_be_separated(engine: Engine) -> None:
    env = make_env(engine, allow_combined_duties=False)
    before = snapshot(env)
    with pytest.raises(SegregationOfDuties, match="clerk") as info:
        env.add_user("sam", "clerk", "lead")
    assert "segregation of duties" in str(info.value)
    assert snapshot(env) == before
    with pytest.raises(NotPermitted):
        env.uow("sam").__enter__()
    env.add_user("sam", "clerk")
    with pytest.raises(SegregationOfDuties):
        users.set_roles(SetRoles("sam", ("clerk", "lead")), env.uow())
    with env.uow("sam") as uow:
        assert uow.actor.roles == frozenset({Role.CLERK})


def test_small_teams_may_combine_duties_but_auditors_only_read(env: Env) -> None:
    env.add_user("sam", "clerk", "lead")  # env allows combined duties
    with pytest.raises(SegregationOfDuties, match="auditors only read"):
        env.add_user("aud", "auditor", "clerk")
    env.add_user("aud", "auditor", "analyst")


def test_only_admins_manage_users(env: Env) -> None:
    env.add_user("lee", "lead")
    before = snapshot(env)
    with pytest.raises(NotPermitted, match="manage users"):
        users.add_user(AddUser("eve", ("admin",)), env.uow("lee"))
    with pytest.raises(NotPermitted):
        users.set_roles(SetRoles("lee", ("admin",)), env.uow("lee"))
    assert snapshot(env) == before


@pytest.mark.parametrize(
    ("username", "roles", "error"),
    [
        ("two words", ("clerk",), InvalidInput),
        ("  ", ("clerk",), InvalidInput),
        ("bob", ("boss",), InvalidInput),
        ("bob", (), InvalidInput),
    ],
)
def test_malformed_users_are_refused(
    env: Env, username: str, roles: tuple[str, ...], error: type[Exception]
) -> None:
    before = snapshot(env)
    with pytest.raises(error):
        users.add_user(AddUser(username, roles), env.uow())
    assert snapshot(env) == before


def test_setting_roles_of_an_unknown_user_is_not_found(env: Env) -> None:
    with pytest.raises(NotFound):
        users.set_roles(SetRoles("nobody", ("clerk",)), env.uow())
