import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from organisatrice.content_store import blob_read
from organisatrice.orders.selectors import order_get_for_user, order_recipient_candidates
from organisatrice.people.access import EmployeeRequest, employee_required
from organisatrice.people.selectors import company_settings_get

from ..downloads import download_response
from ..errors import InputInvalid
from ..message.bodies import body_html, body_text, sender_name
from ..models import EmailDraft
from ..policy import ensure_can_send
from ..templating.selectors import email_templates_active
from . import attachments, drafts, page, selectors, sending
from .documents import OrderDocuments, document_selection
from .errors import DraftAlreadySent, DraftInvalid
from .forms import (
    ROLE_CHOICES,
    DraftForm,
    NewEmailForm,
    contact_roles,
    draft_changes_from_post,
    draft_form_initial,
)
from .previews import attachment_preview_png


@employee_required
def email_new(request: EmployeeRequest, pk: int) -> HttpResponse:
    """Step one of the composer: the template, the document it is about and the main recipient."""
    order = order_get_for_user(employee=request.employee, pk=pk)
    ensure_can_send(employee=request.employee, order=order)
    candidates = order_recipient_candidates(order=order)
    templates = email_templates_active()
    form = NewEmailForm(request.POST or None, templates=templates, contacts=candidates.all_contacts())
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["template"]
        # Without the page's script every kind's menu is posted: the template's own counts.
        parsed = (document_selection(order=order, value=value) for value in request.POST.getlist("document"))
        selection = next((p[1] for p in parsed if p and p[0] == chosen.attachment_kind), None)
        try:
            draft = drafts.email_draft_create(
                order=order,
                author=request.employee,
                template=chosen,
                contact=form.cleaned_data["contact"],
                selection=selection,
            )
        except DraftInvalid as error:
            form.add_error(None, str(error))
        else:
            return redirect("emails:draft", pk=draft.pk)
    documents = OrderDocuments.of(order)
    options = page.template_options(templates=templates, documents=documents)
    if not form.is_bound:
        contact, template = page.new_email_defaults(order=order, candidates=candidates, options=options)
        form.initial = {"contact": contact.pk if contact else None, "template": template.pk if template else None}
    template_by_type_language = {f"{t.type.code}:{t.language}": t.pk for t in templates.filter(is_default=True)}
    return render(
        request,
        "emails/email_new.html",
        {
            "order": order,
            "form": form,
            "candidates": candidates,
            "template_options": options,
            "document_menus": page.document_menus(
                order=order, documents=documents, options=options, posted=request.POST.getlist("document")
            ),
            "default_templates": template_by_type_language,
            "drafts": selectors.email_drafts_open(employee=request.employee, order=order),
        },
        status=400 if form.errors else 200,
    )


def _composer_context(
    request: EmployeeRequest,
    draft: EmailDraft,
    *,
    form: DraftForm | None = None,
    errors: dict[str, list[str]] | None = None,
    notices: list[str] | None = None,
) -> dict[str, Any]:
    order = draft.order
    confirm_expired_offer = request.POST.get("confirm_expired_offer") == "on"
    company = company_settings_get()
    candidates = order_recipient_candidates(order=order)
    contacts = candidates.all_contacts()
    templates = email_templates_active()
    roles, _extras = contact_roles(draft=draft, contacts=contacts)
    if form is None:
        form = DraftForm(initial=draft_form_initial(draft=draft, contacts=contacts))
    # Read once here: the checks, the preview and the page all go through draft.attachments.
    prefetch_related_objects([draft], "attachments")
    envelope = sending.draft_envelope(draft=draft, employee=request.employee)
    parts = sending.draft_parts(draft)
    total = selectors.draft_total_size(draft=draft)
    limit = company.max_attachments_size
    return {
        "order": order,
        "draft": draft,
        "company": company,
        "form": form,
        "sender_name": sender_name(employee=request.employee, company=company),
        "envelope": envelope,
        "client_contacts": [(c, roles.get(c.pk, "")) for c in candidates.client_contacts],
        "building_contacts": [(b, [(c, roles.get(c.pk, "")) for c in cs]) for b, cs in candidates.building_contacts],
        "role_choices": ROLE_CHOICES,
        "attachments": list(draft.attachments.all()),
        "menus": page.ComposerMenus(draft=draft, templates=templates),
        "language_switch": page.language_switch(draft=draft, candidates=candidates, templates=templates),
        "confirm_expired_offer": confirm_expired_offer,
        "total_size": total,
        "size_limit": limit,
        "size_percent": min(100, round(100 * total / limit)) if limit else 0,
        "warnings": sending.draft_warnings(draft=draft, company=company),
        "problems": sending.draft_problems(draft=draft, company=company, confirm_expired_offer=confirm_expired_offer),
        "errors": errors or {},
        "notices": notices or [],
        "preview_text": body_text(parts),
        "preview_html": body_html(parts, language=draft.language),
    }


def _save_from_post(request: EmployeeRequest, draft: EmailDraft) -> tuple[DraftForm, dict[str, list[str]], list[str]]:
    contacts = order_recipient_candidates(order=draft.order).all_contacts()
    changes, errors = draft_changes_from_post(
        data=request.POST, contacts=contacts, attachment_ids=[a.pk for a in draft.attachments.all()]
    )
    result = drafts.email_draft_update(draft=draft, employee=request.employee, changes=changes)
    for field, messages_ in result.errors.items():
        errors.setdefault(field, []).extend(messages_)
    draft.refresh_from_db()
    return DraftForm(request.POST), errors, result.notices


def _composer(request: EmployeeRequest, draft: EmailDraft, *, status: int = 200, **kwargs: Any) -> HttpResponse:
    return render(request, "emails/composer.html", _composer_context(request, draft, **kwargs), status=status)


ComposerView = Callable[..., HttpResponse]
EDIT_TOO_LATE = gettext_lazy("Ce brouillon a déjà été envoyé ; il ne peut plus être modifié.")


def _sent_draft_leads_to_its_email(message: Promise) -> Callable[[ComposerView], ComposerView]:
    """A draft sent meanwhile (a double click, a second tab, a stale page) answers with its email.

    The services raise DraftAlreadySent wherever they meet a sent draft, also under the
    lock after another request sent it: the employee lands on the email, told why.
    """

    def decorate(view: ComposerView) -> ComposerView:
        @functools.wraps(view)
        def wrapper(request: EmployeeRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except DraftAlreadySent as already:
                messages.info(request, str(message))
                return redirect("emails:detail", pk=already.email.pk)

        return wrapper

    return decorate


@employee_required
@_sent_draft_leads_to_its_email(EDIT_TOO_LATE)
def draft_edit(request: EmployeeRequest, pk: int) -> HttpResponse:
    draft = selectors.email_draft_get_for_user(employee=request.employee, pk=pk)
    if draft.status == EmailDraft.Status.SENT:
        return _already_sent(request, draft)
    if request.method != "POST":
        return _composer(request, draft)
    try:
        form, errors, notices = _save_from_post(request, draft)
    except DraftInvalid as error:
        return _composer(request, draft, errors=error.errors, status=400)
    if request.htmx:  # type: ignore[attr-defined]
        # The live part: preview, size, warnings and what was refused.
        return render(
            request,
            "emails/_preview.html",
            _composer_context(request, draft, form=form, errors=errors, notices=notices),
        )
    if errors:
        return _composer(request, draft, form=form, errors=errors, notices=notices, status=400)
    for notice in notices:
        messages.info(request, notice)
    messages.success(request, _("Brouillon enregistré."))
    return redirect("emails:draft", pk=draft.pk)


def _already_sent(request: EmployeeRequest, draft: EmailDraft) -> HttpResponse:
    email = getattr(draft, "outgoing_email", None)
    messages.info(request, _("Ce brouillon a déjà été envoyé."))
    if email is not None:
        return redirect("emails:detail", pk=email.pk)
    return redirect("orders:detail", pk=draft.order_id)


def _draft_action(request: EmployeeRequest, pk: int) -> tuple[EmailDraft, DraftForm, dict[str, list[str]], list[str]]:
    """Every button of the composer first saves what was typed, so that nothing is lost."""
    draft = selectors.email_draft_get_for_user(employee=request.employee, pk=pk)
    if draft.status == EmailDraft.Status.SENT:
        raise DraftAlreadySent(draft.outgoing_email)
    form, errors, notices = _save_from_post(request, draft)
    return draft, form, errors, notices


@require_POST
@employee_required
@_sent_draft_leads_to_its_email(
    gettext_lazy("Ce brouillon a déjà été envoyé ; il n'a pas été envoyé une seconde fois.")
)
def draft_send(request: EmployeeRequest, pk: int) -> HttpResponse:
    draft, form, errors, notices = _draft_action(request, pk)
    if errors:
        return _composer(request, draft, form=form, errors=errors, notices=notices, status=400)
    try:
        email = sending.email_send(
            draft=draft,
            employee=request.employee,
            confirm_expired_offer=request.POST.get("confirm_expired_offer") == "on",
        )
    except InputInvalid as error:
        # A draft that cannot be sent, or a message that would not read back as meant.
        return _composer(request, draft, form=form, errors=error.errors, notices=notices, status=400)
    messages.success(request, _("eMail « %(subject)s » mis en file d'envoi.") % {"subject": email.subject})
    return redirect("emails:detail", pk=email.pk)


@require_POST
@employee_required
@_sent_draft_leads_to_its_email(EDIT_TOO_LATE)
def draft_add_document(request: EmployeeRequest, pk: int) -> HttpResponse:
    draft, form, errors, notices = _draft_action(request, pk)
    parsed = document_selection(order=draft.order, value=request.POST.get("document", ""))
    if parsed is None:
        errors.setdefault("attachments", []).append(_("Choisissez un document à joindre."))
    else:
        try:
            attachments.draft_attachment_add_document(
                draft=draft, employee=request.employee, kind=parsed[0], selection=parsed[1]
            )
        except DraftInvalid as error:
            for field, messages_ in error.errors.items():
                errors.setdefault(field, []).extend(messages_)
    if errors:
        return _composer(request, draft, form=form, errors=errors, notices=notices, status=400)
    return redirect("emails:draft", pk=draft.pk)


@require_POST
@employee_required
@_sent_draft_leads_to_its_email(EDIT_TOO_LATE)
def draft_remove_attachment(request: EmployeeRequest, pk: int, attachment_id: int) -> HttpResponse:
    draft, form, errors, notices = _draft_action(request, pk)
    try:
        attachments.draft_attachment_remove(draft=draft, employee=request.employee, attachment_id=attachment_id)
    except DraftInvalid as error:
        errors.update(error.errors)
    if errors:
        return _composer(request, draft, form=form, errors=errors, notices=notices, status=400)
    return redirect("emails:draft", pk=draft.pk)


@require_POST
@employee_required
@_sent_draft_leads_to_its_email(EDIT_TOO_LATE)
def draft_upload(request: EmployeeRequest, pk: int) -> HttpResponse:
    draft = selectors.email_draft_get_for_user(employee=request.employee, pk=pk)
    upload = request.FILES.get("upload")
    if upload is None:
        return _composer(request, draft, errors={"attachments": [_("Choisissez un fichier à joindre.")]}, status=400)
    try:
        attachments.draft_attachment_upload(draft=draft, employee=request.employee, upload=upload)
    except DraftInvalid as error:
        return _composer(request, draft, errors=error.errors, status=400)
    return redirect("emails:draft", pk=draft.pk)


@require_POST
@employee_required
@_sent_draft_leads_to_its_email(gettext_lazy("Ce brouillon a déjà été envoyé ; il n'a pas été supprimé."))
def draft_discard(request: EmployeeRequest, pk: int) -> HttpResponse:
    draft = selectors.email_draft_get_for_user(employee=request.employee, pk=pk)
    order_id = draft.order_id
    drafts.email_draft_discard(draft=draft, employee=request.employee)
    messages.success(request, _("Brouillon supprimé."))
    return redirect("orders:detail", pk=order_id)


@require_GET
@never_cache
@employee_required
def draft_attachment_preview(request: EmployeeRequest, pk: int, attachment_id: int) -> HttpResponse:
    attachment = selectors.draft_attachment_get_for_user(employee=request.employee, pk=pk, attachment_id=attachment_id)
    png = attachment_preview_png(attachment=attachment)
    if png is None:
        raise Http404(_("Pas d'aperçu pour ce type de fichier."))
    return HttpResponse(png, content_type="image/png")


@require_GET
@never_cache
@employee_required
def draft_attachment_download(request: EmployeeRequest, pk: int, attachment_id: int) -> HttpResponse:
    attachment = selectors.draft_attachment_get_for_user(employee=request.employee, pk=pk, attachment_id=attachment_id)
    return download_response(blob_read(attachment.sha256), attachment.content_type, attachment.filename)
