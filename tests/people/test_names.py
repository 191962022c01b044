"""Employee and company names reach From and Reply-To: one line, no control characters, where they are entered."""

import pytest
from django.core.exceptions import ValidationError

from organisatrice.people.selectors import company_settings_get
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

BAD = ["Rochat\r\nBcc: x@evil.example", "Roc\nhat", "Ro\x1bchat", "Ro\u2028chat", "Ro\x85chat"]


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("field", ["first_name", "last_name", "function"])
def test_an_employees_name_with_a_line_break_is_refused(value, field):
    employee = EmployeeFactory()
    setattr(employee, field, value)
    with pytest.raises(ValidationError) as refused:
        employee.full_clean()
    assert "caractère non autorisé" in str(refused.value.message_dict[field])


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("field", ["name", "sender_name_format"])
def test_the_company_name_and_sender_name_format_with_a_line_break_are_refused(value, field):
    company = company_settings_get()
    setattr(company, field, value)
    with pytest.raises(ValidationError) as refused:
        company.full_clean()
    assert field in refused.value.message_dict


def test_ordinary_names_are_accepted():
    employee = EmployeeFactory(first_name="Marie-Claire", last_name="Rochat-Müller", function="Cheffe d'équipe")
    employee.full_clean()
    company = company_settings_get()
    company.name, company.sender_name_format = "Dupont & Fils SA", "{employee} – {company}"
    company.full_clean()
