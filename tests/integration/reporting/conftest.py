"""Reporting tests run in a company whose clock stands after the quarter they build."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import make_env


@pytest.fixture
def env(engine):
    return make_env(engine, today=date(2026, 4, 5))


def set_settings(env, **values) -> None:
    uow = env.uow("admin")
    with uow:
        settings = dict(uow.company.settings)
        settings.update(values)
        uow.companies.update_settings(uow.company.id, settings)
        uow.commit()
