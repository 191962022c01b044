from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .access import EmployeeRequest, employee_required
from .models import InterfaceLanguage
from .services import employee_language_set


@require_POST
@employee_required
def language_set(request: EmployeeRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language in InterfaceLanguage.values:
        employee_language_set(employee=request.employee, language=language)
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return redirect(next_url)
