"""What the API reads and writes. Input types refuse what the database or a header could not
hold (NUL characters, lone surrogates, ids beyond a 64-bit integer) before any service runs,
as Django's form fields do for the pages."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, WithJsonSchema, model_validator

from organisatrice.documents.kinds import DocumentKind
from organisatrice.emails.models import DraftAttachment, EmailDraft, OutgoingEmail
from organisatrice.orders.models import Order
from organisatrice.people.models import Language

from .pagination import PAGE_MAX

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


def _inline(choices: type[TextChoices]) -> WithJsonSchema:
    # Three models call their choices "Status": as components of the OpenAPI schema they
    # would overwrite each other, so each is written out where it is used.
    return WithJsonSchema({"type": "string", "enum": list(choices.values)})


OrderStatus = Annotated[Order.Status, _inline(Order.Status)]
DraftStatus = Annotated[EmailDraft.Status, _inline(EmailDraft.Status)]
EmailStatus = Annotated[OutgoingEmail.Status, _inline(OutgoingEmail.Status)]
AttachmentSource = Annotated[DraftAttachment.Source, _inline(DraftAttachment.Source)]
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


# --- Tokens ---------------------------------------------------------------------------------


class TokenIn(InputSchema):
    username: Text = Field(max_length=150)
    password: Text = Field(max_length=4096)
    name: Text = Field("API", max_length=100, description="Ce qui utilise le jeton, par exemple « ERP ».")


class TokenOut(Schema):
    token: str = Field(description="Le jeton, affiché cette seule fois : seul son SHA-256 est conservé.")
    id: int
    name: str
    prefix: str


# --- People, clients, buildings, contacts ---------------------------------------------------


class EmployeeOut(Schema):
    id: int
    name: str
    email: str


class AddressOut(Schema):
    name: str
    email: str


class AddressIn(InputSchema):
    name: Text = Field("", max_length=200)
    email: Text = Field(max_length=254)


class ClientRefOut(Schema):
    id: int
    name: str


class ClientOut(ClientRefOut):
    kind: str
    street: str
    postal_code: str
    city: str
    phone: str
    email: str
    language: str


class BuildingOut(Schema):
    id: int
    name: str
    street: str
    postal_code: str
    city: str


class ContactOut(Schema):
    id: int
    salutation: str
    first_name: str
    last_name: str
    name: str
    function: str
    email: str
    phone: str
    language: str


class BuildingContactsOut(Schema):
    building: BuildingOut
    contacts: list[ContactOut]


class RecipientCandidatesOut(Schema):
    client_contacts: list[ContactOut]
    building_contacts: list[BuildingContactsOut]


# --- Orders ---------------------------------------------------------------------------------


class WorkReportOut(Schema):
    id: int
    date: datetime.date
    remarks: str
    total_hours: str
    reported_at: datetime.datetime | None


class PhotoOut(Schema):
    id: int
    caption: str
    taken_at: datetime.datetime | None
    building_id: int | None


class OfferOut(Schema):
    id: int
    number: str
    date: datetime.date
    valid_until: datetime.date
    net: str
    vat_total: str
    total: str


class DocumentsOut(Schema):
    work_reports: list[WorkReportOut]
    photos: list[PhotoOut]
    offers: list[OfferOut]


class OrderSummaryOut(Schema):
    id: int
    number: str
    title: str
    status: OrderStatus
    client: ClientRefOut
    responsible: EmployeeOut | None
    start_date: datetime.date | None
    end_date: datetime.date | None
    reported_at: datetime.datetime | None


class OrderOut(OrderSummaryOut):
    description: str
    created_at: datetime.datetime
    client: ClientOut  # the detail gives the whole client
    buildings: list[BuildingOut]
    documents: DocumentsOut
    recipient_candidates: RecipientCandidatesOut
    can_send_email: bool
    send_refusal: str | None = Field(description="Pourquoi l'appelant ne peut pas envoyer d'eMail, sinon null.")


class PageOut(Schema):
    count: int
    next: str | None
    previous: str | None


class OrderPageOut(PageOut):
    results: list[OrderSummaryOut]


# --- Templates ------------------------------------------------------------------------------


class TemplateTypeOut(Schema):
    code: str
    name: str


class EmailTemplateOut(Schema):
    id: int
    name: str
    type: TemplateTypeOut
    language: str
    is_default: bool
    attachment_kind: str
    subject: str
    greeting: str
    motivation: str
    body: str
    closing: str


# --- Drafts ---------------------------------------------------------------------------------

# Which record of the order each kind of document is made from.
SELECTION_KEYS = {
    DocumentKind.WORK_REPORT: "work_report",
    DocumentKind.OFFER: "offer",
    DocumentKind.PHOTOS: "photo",
}


class DocumentIn(InputSchema):
    """A document of the order to attach, as listed under the order's `documents`."""

    kind: DocumentKind
    id: Id | None = Field(None, description="Le rapport, l'offre ou la photo (pour `photos`).")
    photo_ids: list[Id] | None = Field(
        None, description="Pour `photo_documentation` : les photos ; absent, toutes celles de la commande."
    )

    @model_validator(mode="after")
    def _id_given(self) -> "DocumentIn":
        if self.kind in SELECTION_KEYS and self.id is None:
            raise ValueError(_("Indiquez l'identifiant (id) du document à joindre."))
        return self

    def selection(self, order: Order) -> dict[str, Any]:
        """The selection the document services take, e.g. {"work_report": 7}."""
        if self.kind == DocumentKind.PHOTO_DOCUMENTATION:
            photos = self.photo_ids if self.photo_ids is not None else list(order.photos.values_list("pk", flat=True))
            return {"photos": photos}
        return {SELECTION_KEYS[self.kind]: self.id}


class DraftCreateIn(InputSchema):
    template_id: Id | None = Field(None, description="Le gabarit ; sinon `type` (et `language`).")
    type: Text | None = Field(None, max_length=50, description="Le code du type, par exemple `work_report`.")
    language: Language | None = Field(None, description="Par défaut celle du contact, sinon celle du client.")
    contact_id: Id | None = Field(None, description="Le destinataire principal, parmi les contacts proposés.")
    documents: list[DocumentIn] | None = Field(
        None, description="Les documents à joindre ; absent, celui que le gabarit prévoit ; [] pour aucun."
    )


class AttachmentRenameIn(InputSchema):
    id: Id
    filename: Text = Field(max_length=1000)


class DraftPatchIn(InputSchema):
    """Each part present is changed; absent or null, it stays as it is."""

    template_id: Id | None = Field(None, description="Remplit à nouveau les parts depuis ce gabarit (d'abord).")
    to: list[AddressIn] | None = None
    cc: list[AddressIn] | None = None
    bcc: list[AddressIn] | None = None
    bcc_me: bool | None = None
    subject: Text | None = None
    greeting: Text | None = None
    motivation: Text | None = None
    body: Text | None = None
    closing: Text | None = None
    signature: Text | None = None
    attachments: list[AttachmentRenameIn] | None = Field(None, description="Nouveaux noms de fichier des annexes.")
    remove_attachments: list[Id] | None = None
    add_documents: list[DocumentIn] | None = None


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    source: AttachmentSource
    document_kind: str


class DraftOut(Schema):
    id: int
    order_id: int
    status: DraftStatus
    email_id: int | None = Field(description="L'eMail envoyé depuis ce brouillon, une fois envoyé.")
    template_id: int | None
    language: str
    sender: AddressOut
    reply_to: AddressOut | None
    to: list[AddressOut]
    cc: list[AddressOut]
    bcc: list[AddressOut]
    bcc_me: bool
    subject: str
    greeting: str
    motivation: str
    body: str
    closing: str
    signature: str
    attachments: list[AttachmentOut]
    total_size: int
    size_limit: int
    warnings: list[str]
    problems: list[FieldErrorOut] = Field(description="Ce qui empêche l'envoi maintenant.")
    notices: list[str] = Field(description="Ce qui a été corrigé dans ce qui a été envoyé (noms de fichier).")
    created_at: datetime.datetime
    updated_at: datetime.datetime


class PreviewOut(Schema):
    text: str
    html: str
    size: int = Field(description="La taille des annexes en octets, limitée à `size_limit`.")


class SentOut(Schema):
    email_id: int
    status: EmailStatus


# --- Archive --------------------------------------------------------------------------------


class SentAttachmentOut(Schema):
    position: int
    filename: str
    content_type: str
    size: int
    sha256: str
    document_kind: str


class EmailSummaryOut(Schema):
    id: int
    order_id: int
    created_at: datetime.datetime
    sender: EmployeeOut
    template_type: str
    to: list[AddressOut]
    subject: str
    status: EmailStatus
    sent_at: datetime.datetime | None
    attempt_count: int
    attachments: list[SentAttachmentOut]


class EmailPageOut(PageOut):
    results: list[EmailSummaryOut]


class HeaderOut(Schema):
    name: str
    value: str


class AttemptOut(Schema):
    started_at: datetime.datetime
    finished_at: datetime.datetime
    outcome: str
    smtp_code: int | None
    smtp_reply: str
    error: str


class NoteIn(InputSchema):
    text: Text


class NoteOut(Schema):
    id: int
    author: EmployeeOut
    text: str
    created_at: datetime.datetime


class EmailOut(EmailSummaryOut):
    order_number: str
    message_id: str
    from_header: str
    reply_to: str
    cc: list[AddressOut]
    bcc: list[AddressOut]
    headers: list[HeaderOut]
    text_body: str
    html_body: str
    sha256: str
    size: int
    next_attempt_at: datetime.datetime | None
    smtp_reply: str
    failure_reason: str
    attempts: list[AttemptOut]
    notes: list[NoteOut]
    can_retry: bool
    can_cancel: bool
