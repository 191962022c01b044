"""The composer's pages about a draft's template and document: send a document from the
order page in one click, choose which document the template is about, switch template
or language variant without losing what was typed."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organisatrice.orders.selectors import order_get_for_user
from organisatrice.people.access import EmployeeRequest, employee_required

from ..models import EmailDraft, EmailTemplate
from ..policy import ensure_can_send
from ..templating.selectors import email_templates_active
from . import drafts, selectors
from .documents import document_selection
from .errors import DraftInvalid
from .views import EDIT_TOO_LATE, _composer, _draft_action, _sent_draft_leads_to_its_email


def announce_kept_parts(request: EmployeeRequest, kept: set[str]) -> None:
    """Says which parts stayed as the employee wrote them, so they can check them."""
    if not kept:
        return
    labels = [
        str(EmailDraft._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
        for name in ("subject", "greeting", "motivation", "body", "closing", "signature")
        if name in kept
    ]
    messages.info(
        request,
        _("Gardé tel que vous l'aviez écrit : %(parts)s. Vérifiez qu'il convient encore.")
        % {"parts": ", ".join(labels)},
    )


@require_POST
@employee_required
def document_send(request: EmployeeRequest, pk: int) -> HttpResponse:
    """From a work report, an offer or the photos on the order page: the draft that sends it,
    ready for Envoyer."""
    order = order_get_for_user(employee=request.employee, pk=pk)
    ensure_can_send(employee=request.employee, order=order)
    parsed = document_selection(order=order, value=request.POST.get("document", ""))
    if parsed is None:
        messages.error(request, _("Ce document n'existe pas ou n'appartient pas à cette commande."))
        return redirect("orders:detail", pk=order.pk)
    try:
        draft = drafts.email_draft_for_document(
            order=order, author=request.employee, kind=parsed[0], selection=parsed[1]
        )
    except DraftInvalid as error:
        messages.error(request, str(error))
        return redirect("orders:detail", pk=order.pk)
    return redirect("emails:draft", pk=draft.pk)


def _apply(request: EmployeeRequest, pk: int, *, template: EmailTemplate | None, selection_value: str) -> HttpResponse:
    draft = selectors.email_draft_get_for_user(employee=request.employee, pk=pk)
    if "subject" in request.POST:
        # Posted with the composer's form: what was typed is saved first, then kept.
        draft, _form, _errors, _notices = _draft_action(request, pk)
    template = template or draft.template
    if template is None:
        return _composer(request, draft, errors={"template": [_("Choisissez d'abord un gabarit.")]}, status=400)
    selection = None
    if selection_value:
        parsed = document_selection(order=draft.order, value=selection_value)
        if parsed is None or parsed[0] != template.attachment_kind:
            return _composer(
                request, draft, errors={"attachments": [_("Choisissez un document de la commande.")]}, status=400
            )
        selection = parsed[1]
    try:
        kept = drafts.email_draft_apply_template(
            draft=draft,
            employee=request.employee,
            template=template,
            selection=selection,
            keep_edits="keep_edits" in request.GET or bool(selection_value),
        )
    except DraftInvalid as error:
        return _composer(request, draft, errors=error.errors, status=400)
    announce_kept_parts(request, kept)
    return redirect("emails:draft", pk=draft.pk)


@require_POST
@employee_required
@_sent_draft_leads_to_its_email(EDIT_TOO_LATE)
def draft_apply_template(request: EmployeeRequest, pk: int) -> HttpResponse:
    """Another template; with keep_edits (the language switch), the parts written by hand stay."""
    template = get_object_or_404(email_templates_active(), pk=request.POST.get("template") or 0)
    response = _apply(request, pk, template=template, selection_value="")
    if response.status_code == 302:
        messages.success(request, _("Gabarit « %(name)s » appliqué.") % {"name": template.name})
    return response


@require_POST
@employee_required
@_sent_draft_leads_to_its_email(EDIT_TOO_LATE)
def draft_choose_document(request: EmployeeRequest, pk: int) -> HttpResponse:
    """Which report, offer or photos the template's attachment and placeholders use."""
    return _apply(request, pk, template=None, selection_value=request.POST.get("template_document", ""))
