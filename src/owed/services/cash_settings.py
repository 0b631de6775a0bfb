"""The company's cash application policy: read for every run, changed by a person.

The policy is ``MatchSettings`` (``owed.domain.cash_application.model``) with
the company's overrides from ``settings["cash_application"]``: the automatic
threshold, tolerances, search bounds, windows and ``oldest_first``. Each
override is checked against the setting's type when it is stored and again
when a run reads it, so a bad value is an error naming the setting, never a
policy half applied. Changing it needs ``Permission.CONFIGURE`` and is audited
with the overrides before and after.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from owed.domain.auth import Permission
from owed.domain.cash_application.model import MatchSettings
from owed.domain.errors import InvalidInput
from owed.services.unit_of_work import UnitOfWork

SECTION = "cash_application"
_DEFAULTS = MatchSettings()


def match_settings(uow: UnitOfWork) -> MatchSettings:
    """The company's policy: defaults overridden by settings["cash_application"]."""
    return _policy(dict(uow.company.settings.get(SECTION, {})))


def _policy(overrides: Mapping[str, Any]) -> MatchSettings:
    values = {f.name: getattr(_DEFAULTS, f.name) for f in fields(MatchSettings)}
    for name, value in overrides.items():
        values[name] = _parse(name, value)
    return MatchSettings(**values)


def _known(name: str) -> str:
    names = [f.name for f in fields(MatchSettings)]
    if name not in names:
        raise InvalidInput(f"unknown cash application setting {name!r} (known: {', '.join(names)})")
    return name


def _parse(name: str, value: object) -> Any:
    """``value`` as the type of setting ``name``; InvalidInput naming both when it is not."""
    current = getattr(_DEFAULTS, _known(name))
    if isinstance(current, bool):
        return _flag(name, value)
    try:
        text = str(value).strip()
        number: Decimal | int | float
        if isinstance(current, Decimal):
            number = Decimal(text)
        elif isinstance(current, int):
            number = int(text)
        else:
            number = float(text)  # confidences and time budgets, not money
        if not math.isfinite(number) or number < 0:
            raise ValueError(text)
        return number
    except (ValueError, InvalidOperation):
        kind = (
            "an amount"
            if isinstance(current, Decimal)
            else ("a whole number" if isinstance(current, int) else "a number")
        )
        raise InvalidInput(
            f"cash application setting {name!r} must be {kind}, 0 or more, not {value!r}"
        ) from None


def _flag(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    raise InvalidInput(f"cash application setting {name!r} must be true or false, not {value!r}")


def _stored(value: object) -> object:
    """A parsed value as the settings JSON keeps it (amounts as exact strings)."""
    return str(value) if isinstance(value, Decimal) else value


@dataclass(frozen=True)
class ConfigureCashApplication:
    values: Mapping[str, str]  # setting name -> new value, as typed
    reset: tuple[str, ...] = ()  # settings back to their defaults


def configure_cash_application(cmd: ConfigureCashApplication, uow: UnitOfWork) -> MatchSettings:
    """Change the company's overrides; returns the whole policy now in force."""
    with uow:
        uow.require(Permission.CONFIGURE)
        before = dict(uow.company.settings.get(SECTION, {}))
        reset = {_known(name) for name in cmd.reset}
        after = {k: v for k, v in before.items() if k not in reset}
        for name, value in cmd.values.items():
            after[name] = _stored(_parse(name, value))
        policy = _policy(after)
        if not 0 <= policy.auto_apply_threshold <= 1 or not 0 <= policy.suggestion_floor <= 1:
            raise InvalidInput("confidences (auto_apply_threshold, suggestion_floor) lie in 0–1")
        uow.companies.update_settings(uow.company.id, {**uow.company.settings, SECTION: after})
        uow.audit("cashapp.configure", "company", uow.company.code, before=before, after=after)
        uow.commit()
        return policy


def current_policy(uow: UnitOfWork) -> tuple[MatchSettings, frozenset[str]]:
    """The policy in force and the names the company overrides."""
    with uow:
        uow.require(Permission.READ)
        return match_settings(uow), frozenset(uow.company.settings.get(SECTION, {}))
