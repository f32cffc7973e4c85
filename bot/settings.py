"""Settings from the environment and ``.env`` (see ``.env.example`` for every variable)."""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.enums import DeadlineRule

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./planbot.db"


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class TelegramMode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class Settings(BaseSettings):
    """Everything an operator may set. Secrets are SecretStr so they never reach a log."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    database_url: str = Field(DEFAULT_DATABASE_URL, alias="PLANBOT_DATABASE_URL")
    public_url: str | None = Field(None, alias="PLANBOT_PUBLIC_URL")
    timezone: str = Field("Asia/Bangkok", alias="PLANBOT_TIMEZONE")
    reminder_time: time = Field(time(8, 30), alias="PLANBOT_REMINDER_TIME")
    quiet_hours_start: time = Field(time(20, 0), alias="PLANBOT_QUIET_HOURS_START")
    quiet_hours_end: time = Field(time(7, 0), alias="PLANBOT_QUIET_HOURS_END")
    extra_holidays_file: Path | None = Field(None, alias="PLANBOT_EXTRA_HOLIDAYS_FILE")
    deadline_rule: DeadlineRule = Field(DeadlineRule.AUTHORITY, alias="PLANBOT_DEADLINE_RULE")
    log_level: str = Field("INFO", alias="PLANBOT_LOG_LEVEL")
    log_format: LogFormat = Field(LogFormat.TEXT, alias="PLANBOT_LOG_FORMAT")

    telegram_bot_token: SecretStr | None = Field(None, alias="TELEGRAM_BOT_TOKEN")
    telegram_mode: TelegramMode = Field(TelegramMode.POLLING, alias="TELEGRAM_MODE")
    telegram_webhook_secret: SecretStr | None = Field(None, alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_api_base_url: str = Field(
        "https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL"
    )
    telegram_committee_chat_id: int | None = Field(None, alias="TELEGRAM_COMMITTEE_CHAT_ID")

    line_channel_secret: SecretStr | None = Field(None, alias="LINE_CHANNEL_SECRET")
    line_channel_access_token: SecretStr | None = Field(None, alias="LINE_CHANNEL_ACCESS_TOKEN")
    line_api_base_url: str = Field("https://api.line.me", alias="LINE_API_BASE_URL")
    line_data_api_base_url: str = Field("https://api-data.line.me", alias="LINE_DATA_API_BASE_URL")

    # Signed document links (/d/{token}): LINE cannot send files, so a button opens a link.
    link_secret: SecretStr | None = Field(None, alias="PLANBOT_LINK_SECRET")
    documents_dir: Path = Field(Path("./planbot-documents"), alias="PLANBOT_DOCUMENTS_DIR")
    link_days: int = Field(7, ge=1, le=90, alias="PLANBOT_LINK_DAYS")

    # How long each kind of data is kept, in days (0: for ever); see models/retention.py
    retain_handled_events_days: int = Field(30, ge=0, alias="PLANBOT_RETAIN_HANDLED_EVENTS_DAYS")
    retain_notices_days: int = Field(90, ge=0, alias="PLANBOT_RETAIN_NOTICES_DAYS")
    retain_conversations_days: int = Field(30, ge=0, alias="PLANBOT_RETAIN_CONVERSATIONS_DAYS")
    retain_strangers_days: int = Field(90, ge=0, alias="PLANBOT_RETAIN_STRANGERS_DAYS")
    retain_join_attempts_days: int = Field(30, ge=0, alias="PLANBOT_RETAIN_JOIN_ATTEMPTS_DAYS")
    retain_refusals_days: int = Field(365, ge=0, alias="PLANBOT_RETAIN_REFUSALS_DAYS")
    retain_audit_days: int = Field(3650, ge=0, alias="PLANBOT_RETAIN_AUDIT_DAYS")
    retain_exports_days: int = Field(1, ge=0, alias="PLANBOT_RETAIN_EXPORTS_DAYS")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone, so a typo fails at start-up
        return value

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
