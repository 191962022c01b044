"""The employee's own page: "Copie dans mes envoyés" (/me/sent-copy/)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from organisatrice.people.access import EmployeeRequest, employee_required

from .forms import MailboxForm
from .models import DEFAULT_PORTS, Security
from .selectors import sent_copy_mailbox_get, sent_copy_server_get
from .services import (
    ConnectionTest,
    SentCopyInvalid,
    sent_copy_mailbox_remove,
    sent_copy_mailbox_save,
    sent_copy_settings_test,
)


def _initial(request: EmployeeRequest) -> dict[str, object]:
    mailbox = sent_copy_mailbox_get(employee=request.employee)
    if mailbox is not None:
        return {
            "host": mailbox.host,
            "port": mailbox.port,
            "security": mailbox.security,
            "username": mailbox.username,
            "folder": mailbox.folder,
        }
    server = sent_copy_server_get()
    security = Security(server.security)
    return {
        "host": server.host,
        "port": server.port or DEFAULT_PORTS[security],
        "security": security,
        "username": request.employee.email,
    }


@never_cache
@require_http_methods(["GET", "POST"])
@employee_required
def mailbox_settings(request: EmployeeRequest) -> HttpResponse:
    mailbox = sent_copy_mailbox_get(employee=request.employee)
    test: ConnectionTest | None = None
    form = MailboxForm(request.POST or None, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "test":
            try:
                test = sent_copy_settings_test(employee=request.employee, **data)
            except SentCopyInvalid as invalid:
                form.add_error(invalid.field if invalid.field in form.fields else None, invalid.message)
        else:
            try:
                mailbox, test = sent_copy_mailbox_save(employee=request.employee, **data)
            except SentCopyInvalid as invalid:
                form.add_error(invalid.field if invalid.field in form.fields else None, invalid.message)
            else:
                messages.success(request, test.message)
                return redirect("sentcopy:settings")
    return render(request, "sentcopy/mailbox.html", {"form": form, "mailbox": mailbox, "test": test})


@require_POST
@employee_required
def mailbox_remove(request: EmployeeRequest) -> HttpResponse:
    if sent_copy_mailbox_remove(employee=request.employee):
        messages.success(request, _("La copie dans vos envoyés est désactivée ; le mot de passe est effacé."))
    return redirect("sentcopy:settings")
