"""The permission matrix the pages' and the API's tests walk through: company switch ×
employee switch × Mail permission × relation to the order."""

import itertools

from organisatrice.orders.models import Order
from organisatrice.people.models import Employee
from organisatrice.people.selectors import company_settings_get
from tests.factories import ContactFactory, EmployeeFactory, OrderFactory

RELATIONS = ["responsible", "dispatcher", "coordinator", "other"]
MATRIX = list(itertools.product([True, False], [True, False], [True, False], RELATIONS))
MATRIX_ARGUMENTS = ("company_on", "employee_on", "mail_permission", "relation")


def policy_case(company_on: bool, employee_on: bool, mail_permission: bool, relation: str) -> tuple[Employee, Order]:
    """An employee and an order (with a client contact) placed at one point of the matrix."""
    company = company_settings_get()
    company.email_enabled = company_on
    company.save()
    employee = EmployeeFactory(
        email_enabled=employee_on,
        mail_permission=mail_permission,
        is_dispatcher=relation == "dispatcher",
        is_coordinator=relation == "coordinator",
    )
    order = OrderFactory(responsible=employee if relation == "responsible" else EmployeeFactory())
    ContactFactory(client=order.client, email="favre@gerance.ch")
    return employee, order


def may_send(company_on: bool, employee_on: bool, mail_permission: bool, relation: str) -> bool:
    return company_on and employee_on and mail_permission and relation != "other"


def may_read_archive(mail_permission: bool, relation: str) -> bool:
    return mail_permission and relation != "other"
