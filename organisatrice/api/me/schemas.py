"""The caller's own settings: the copy of their emails in their Sent folder."""

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from organisatrice.sentcopy.models import SentCopy

from ..schemas import InputSchema, inline

Line = Annotated[str, StringConstraints(min_length=1, max_length=254)]


class SentCopySettingsIn(InputSchema):
    host: Annotated[str, StringConstraints(min_length=1, max_length=253)]
    port: int = Field(ge=1, le=65535)
    security: Literal["none", "starttls", "tls"]
    username: Line
    password: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    folder: Annotated[str, StringConstraints(max_length=500)] = Field(
        "", description="Vide : le dossier flaggé \\Sent, sinon un nom usuel (Sent, Envoyés, Gesendete Objekte…)."
    )


class SentCopySettingsOut(Schema):
    """The stored settings: never the password."""

    enabled: bool
    host: str
    port: int
    security: str
    username: str
    folder: str
    tested_at: datetime.datetime | None
    test_result: str


class SentCopySavedOut(SentCopySettingsOut):
    folders: list[str] = Field(description="Les dossiers du compte, pour en choisir un autre.")


class SentCopyOut(Schema):
    """The copy of a sent email in its sender's Sent folder."""

    status: Annotated[SentCopy.Status, inline(SentCopy.Status)]
    folder: str
    error: str
    at: datetime.datetime | None = Field(description="Déposée le ; sinon le dernier essai.")

    @staticmethod
    def resolve_at(copy: SentCopy) -> datetime.datetime | None:
        return copy.appended_at or copy.last_attempt_at
