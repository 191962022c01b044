from contextvars import ContextVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .models import CompanySettings, Employee

# Set by CompanySettingsMiddleware for the length of one request: a page asks for the
# settings in several places (policy, sender, size limit), the database once.
_request_company: ContextVar[CompanySettings | None] = ContextVar("request_company", default=None)


def company_settings_get() -> CompanySettings:
    """The company's settings; created with neutral defaults on first use."""
    company = _request_company.get()
    if company is not None:
        return company
    company = CompanySettings.objects.order_by("pk").first()
    if company is None:
        company, _ = CompanySettings.objects.get_or_create(pk=1, defaults={"name": "Organisatrice"})
    return company


def employee_for_user(user: AbstractBaseUser | AnonymousUser) -> Employee | None:
    """The employee behind a logged-in, active user, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.employee  # type: ignore[attr-defined]
    except Employee.DoesNotExist:
        return None
