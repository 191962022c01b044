from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Employee


@transaction.atomic
def employee_create(
    *,
    username: str,
    password: str,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    function: str = "",
    is_dispatcher: bool = False,
    is_coordinator: bool = False,
    is_technician: bool = False,
    email_enabled: bool = True,
    mail_permission: bool = False,
    is_superuser: bool = False,
) -> Employee:
    user_model = get_user_model()
    user = user_model(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=is_superuser,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    employee = Employee(
        user=user,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        function=function,
        is_dispatcher=is_dispatcher,
        is_coordinator=is_coordinator,
        is_technician=is_technician,
        email_enabled=email_enabled,
        mail_permission=mail_permission,
    )
    employee.full_clean()
    employee.save()
    return employee


def employee_language_set(*, employee: Employee, language: str) -> None:
    employee.language = language
    employee.full_clean()
    employee.save(update_fields=["language"])
