import pytest

from organisatrice.emails.templating.defaults import TEMPLATES
from organisatrice.emails.templating.placeholders import CATALOGUE, PLACEHOLDER_NAMES, placeholder_values
from organisatrice.emails.templating.rendering import TemplateRenderError, template_part_problems, template_part_render
from organisatrice.people.selectors import company_settings_get
from tests.factories import BuildingFactory, ContactFactory, OfferLineFactory, OrderFactory, WorkReportLineFactory


def test_every_default_template_part_is_valid():
    for languages in TEMPLATES.values():
        for parts in languages.values():
            for name, source in parts.items():
                if name != "name":
                    assert template_part_problems(source) == [], (name, source)


def test_unknown_placeholder_is_refused_with_its_line():
    problems = template_part_problems("Bonjour,\n\nvoici {{ order_numbr }}.")
    assert len(problems) == 1
    assert "order_numbr" in str(problems[0])
    assert problems[0].line == 3


def test_syntax_error_is_refused_with_its_line():
    problems = template_part_problems("Ligne un\n{% if order_number %}sans fin")
    assert problems and problems[0].line is not None
    assert "syntaxe" in str(problems[0])


def test_sandbox_refuses_reaching_into_python():
    with pytest.raises(TemplateRenderError):
        template_part_render("{{ order_number.__class__.__mro__[1].__subclasses__() }}", {"order_number": "x"})
    assert template_part_problems("{{ order_number.__class__.__mro__ }}")


def test_render_is_strict_about_missing_values():
    with pytest.raises(TemplateRenderError):
        template_part_render("{{ client_name }}", {})


def test_values_and_catalogue_never_drift_apart(db):
    building = BuildingFactory(name="Les Érables")
    order = OrderFactory(client=building.client, buildings=[building])
    contact = ContactFactory(client=order.client, salutation="mr", last_name="Keller", language="de")
    report = WorkReportLineFactory(report__order=order, hours="7.50").report
    offer = OfferLineFactory(offer__order=order, quantity=1, unit_price="1000.00").offer

    values = placeholder_values(
        order=order,
        employee=order.responsible,
        company=company_settings_get(),
        language="de",
        contact=contact,
        work_report=report,
        offer=offer,
        photo_count=3,
    )

    assert values.keys() == PLACEHOLDER_NAMES == {p.name for p in CATALOGUE}
    assert values["building_name"] == "Les Érables"
    assert values["offer_total"] == "1'081.00"
    assert values["work_report_date"] == report.date.strftime("%d.%m.%Y")
    assert values["photo_count"] == "3"


@pytest.mark.parametrize(
    ("language", "salutation", "expected"),
    [
        ("fr", "mrs", "Bonjour Madame Favre"),
        ("fr", "mr", "Bonjour Monsieur Favre"),
        ("de", "mrs", "Sehr geehrte Frau Favre"),
        ("de", "mr", "Sehr geehrter Herr Favre"),
        ("en", "mrs", "Dear Ms Favre"),
        ("en", "", "Dear Anne Favre"),
    ],
)
def test_formal_greeting_speaks_the_template_language(db, language, salutation, expected):
    order = OrderFactory()
    contact = ContactFactory(client=order.client, salutation=salutation, first_name="Anne", last_name="Favre")
    values = placeholder_values(
        order=order, employee=order.responsible, company=company_settings_get(), language=language, contact=contact
    )
    assert values["formal_greeting"] == expected
