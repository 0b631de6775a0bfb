"""Settings, from the environment (``OWED_*``) and an optional TOML file.

The file is ``owed.toml`` in the working directory, or the path in
``OWED_CONFIG``; environment variables win over the file. Keys are the field
names below (``database_url = "postgresql://..."``).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from owed.domain.errors import ConfigurationError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OWED_", extra="ignore")

    database_url: str = "sqlite:///owed.db"
    company: str = "MAIN"
    company_name: str = "My Company"
    base_currency: str = "USD"
    timezone: str = "UTC"
    user: str | None = None  # defaults to the operating-system user
    clock: str = "system"  # "system", or a fixed date/instant "2026-03-31[T12:00:00]"
    data_dir: Path = Path("owed-data")  # attachments, outbox, exports
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "ar@example.com"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = Path(os.environ.get("OWED_CONFIG", "owed.toml"))
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @field_validator("clock")
    @classmethod
    def _clock(cls, value: str) -> str:
        if value != "system":
            parse_instant(value)
        return value

    def fixed_instant(self) -> datetime | None:
        return None if self.clock == "system" else parse_instant(self.clock)

    def acting_user(self) -> str:
        if self.user:
            return self.user
        return os_username()


def os_username() -> str:
    import getpass

    try:
        return getpass.getuser() or "admin"
    except Exception:  # no passwd entry in some containers
        return "admin"


def parse_instant(text: str) -> datetime:
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return datetime(d.year, d.month, d.day, 12, tzinfo=UTC)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(
            f"OWED_CLOCK={text!r} is neither 'system' nor an ISO date/instant"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def load_settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic ValidationError: show it as a configuration error
        raise ConfigurationError(f"invalid settings: {exc}") from None
