"""What a draft's endpoints read, and the draft as they answer it, read from the EmailDraft."""

import datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import model_validator

from organisatrice.documents.kinds import DocumentKind
from organisatrice.emails.composer.selectors import draft_total_size
from organisatrice.emails.composer.sending import draft_envelope, draft_parts, draft_problems, draft_warnings
from organisatrice.emails.message.bodies import body_html, body_text, sender_name
from organisatrice.emails.message.recipients import Recipient
from organisatrice.emails.models import DraftAttachment, EmailDraft
from organisatrice.orders.models import Order
from organisatrice.people.models import Language
from organisatrice.people.selectors import company_settings_get

from ..auth import caller
from ..schemas import AddressOut, FieldErrorOut, Id, InputSchema, Text, inline

DraftStatus = Annotated[EmailDraft.Status, inline(EmailDraft.Status)]
AttachmentSource = Annotated[DraftAttachment.Source, inline(DraftAttachment.Source)]

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
    template_id: Id | None = Field(
        None,
        description="Le gabarit ; sinon `type` (et `language`) ; sans l'un ni l'autre, celui du type du premier "
        "des `documents`, dans la langue du contact principal, qui devient le destinataire.",
    )
    type: Text | None = Field(None, max_length=50, description="Le code du type, par exemple `work_report`.")
    language: Language | None = Field(None, description="Par défaut celle du contact, sinon celle du client.")
    contact_id: Id | None = Field(None, description="Le destinataire principal, parmi les contacts proposés.")
    documents: list[DocumentIn] | None = Field(
        None, description="Les documents à joindre ; absent, celui que le gabarit prévoit ; [] pour aucun."
    )


class AddressIn(InputSchema):
    name: Text = Field("", max_length=200)
    email: Text = Field(max_length=254)


class AttachmentRenameIn(InputSchema):
    id: Id
    filename: Text = Field(max_length=1000)


class DraftPatchIn(InputSchema):
    """Each part present is changed; absent or null, it stays as it is."""

    template_id: Id | None = Field(None, description="Remplit à nouveau les parts depuis ce gabarit (d'abord).")
    keep_edits: bool = Field(
        False, description="Avec `template_id` : seules les parts encore telles que le gabarit les a écrites changent."
    )
    document: DocumentIn | None = Field(
        None,
        description="Le document dont parle le gabarit (pièce jointe et placeholders) ; les parts écrites restent.",
    )
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
    # The caller's own draft. The context may carry the `notices` of the update just made.
    id: int
    order_id: int
    status: DraftStatus
    email_id: int | None = Field(description="L'eMail envoyé depuis ce brouillon, une fois envoyé.")
    template_id: int | None
    language: str
    sender: AddressOut
    reply_to: AddressOut | None
    # The draft's own lists, not the envelope: "bcc_me" is a separate switch.
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

    @staticmethod
    def resolve_email_id(draft: EmailDraft) -> int | None:
        email = getattr(draft, "outgoing_email", None) if draft.status == EmailDraft.Status.SENT else None
        return email.pk if email else None

    @staticmethod
    def resolve_sender(draft: EmailDraft) -> Recipient:
        company = company_settings_get()
        return Recipient(name=sender_name(employee=draft.author, company=company), email=company.sending_address)

    @staticmethod
    def resolve_reply_to(draft: EmailDraft, context: dict[str, Any]) -> Recipient | None:
        return draft_envelope(draft=draft, employee=caller(context["request"])).reply_to

    @staticmethod
    def resolve_total_size(draft: EmailDraft) -> int:
        return draft_total_size(draft=draft)

    @staticmethod
    def resolve_size_limit(draft: EmailDraft) -> int:
        return company_settings_get().max_attachments_size

    @staticmethod
    def resolve_warnings(draft: EmailDraft) -> list[str]:
        return draft_warnings(draft=draft, company=company_settings_get())

    @staticmethod
    def resolve_problems(draft: EmailDraft) -> list[FieldErrorOut]:
        problems = draft_problems(draft=draft, company=company_settings_get())
        return [
            FieldErrorOut(field=field, message=message) for field, messages in problems.items() for message in messages
        ]

    @staticmethod
    def resolve_notices(draft: EmailDraft, context: dict[str, Any]) -> list[str]:
        return context.get("notices") or []


class PreviewOut(Schema):
    # The draft's bodies as they would be sent.
    text: str
    html: str
    size: int = Field(description="La taille des annexes en octets, limitée à `size_limit`.")

    @staticmethod
    def resolve_text(draft: EmailDraft) -> str:
        return body_text(draft_parts(draft))

    @staticmethod
    def resolve_html(draft: EmailDraft) -> str:
        return body_html(draft_parts(draft), language=draft.language)

    @staticmethod
    def resolve_size(draft: EmailDraft) -> int:
        return draft_total_size(draft=draft)
