"""What the API reads and writes in more than one place; each router keeps its own schemas
beside it. Input types refuse what the database or a header could not hold (NUL characters,
lone surrogates, ids beyond a 64-bit integer) before any service runs, as Django's form
fields do for the pages. Output schemas read the models' attributes (ninja resolves them)."""

from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, WithJsonSchema

from organisatrice.emails.models import OutgoingEmail

from .pagination import PAGE_MAX, page_url

# The largest id a database row can have (a signed 64-bit integer on SQLite and PostgreSQL).
ID_MAX = 2**63 - 1


def _storable(value: str) -> str:
    try:
        ProhibitNullCharactersValidator()(value)
    except DjangoValidationError as error:
        raise ValueError(" ".join(error.messages)) from None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("Le texte contient un caractère invalide.")) from None
    return value


Text = Annotated[str, AfterValidator(_storable)]


def inline(choices: type[TextChoices]) -> WithJsonSchema:
    # Three models call their choices "Status": as components of the OpenAPI schema they
    # would overwrite each other, so each is written out where it is used.
    return WithJsonSchema({"type": "string", "enum": list(choices.values)})


EmailStatus = Annotated[OutgoingEmail.Status, inline(OutgoingEmail.Status)]
Id = Annotated[int, Field(ge=1, le=ID_MAX)]
Position = Annotated[int, Field(ge=0, le=ID_MAX)]
PageNumber = Annotated[int, Field(ge=1, le=PAGE_MAX, description="La page, à partir de 1.")]


class InputSchema(Schema):
    # A misspelt field would otherwise be ignored, and what it carried silently lost.
    model_config = ConfigDict(extra="forbid")


# --- Errors ---------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


class ConflictOut(Schema):
    detail: str
    # The email a draft was already sent as, when that is the conflict.
    email_id: int | None = None


# --- Lists ----------------------------------------------------------------------------------


class PageOut(Schema):
    # Read from a Django Page; each list adds its `results`, the page's items.
    count: int = Field(alias="paginator.count")
    next: str | None
    previous: str | None

    @staticmethod
    def resolve_next(page: Page, context: dict[str, Any]) -> str | None:
        return page_url(context["request"], page.next_page_number()) if page.has_next() else None

    @staticmethod
    def resolve_previous(page: Page, context: dict[str, Any]) -> str | None:
        return page_url(context["request"], page.previous_page_number()) if page.has_previous() else None

    @staticmethod
    def resolve_results(page: Page) -> Any:
        return page.object_list


# --- People and addresses -------------------------------------------------------------------


class EmployeeOut(Schema):
    id: int
    name: str = Field(alias="full_name")
    email: str


class AddressOut(Schema):
    # From a Recipient, or an {name, email} item of a draft's or an email's lists.
    name: str
    email: str


class SentOut(Schema):
    # An OutgoingEmail: what Send, Retry and Cancel answer.
    email_id: int = Field(alias="pk")
    status: EmailStatus
