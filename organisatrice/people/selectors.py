from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .models import CompanySettings, Employee


def company_settings_get() -> CompanySettings:
    """The company's settings; created with neutral defaults on first use."""
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
