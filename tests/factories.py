import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from organisatrice.clients.models import Building, Client, Contact
from organisatrice.emails.models import EmailTemplate
from organisatrice.orders.models import Offer, OfferLine, Order, WorkReport, WorkReportLine, WorkReportMaterial
from organisatrice.people.models import Employee


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "demo")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    user = factory.SubFactory(UserFactory)
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    email = factory.LazyAttribute(lambda e: f"{e.user.username}@dupont-sa.ch")
    function = "Technicien"
    is_technician = True
    email_enabled = True
    mail_permission = True


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Gérance Léman {n} SA")
    street = "Avenue de la Gare 12"
    postal_code = "1003"
    city = "Lausanne"
    language = "fr"


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Résidence Les Érables {n}")
    street = "Chemin des Érables 4"
    postal_code = "1010"
    city = "Lausanne"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    salutation = "mrs"
    first_name = "Anne"
    last_name = factory.Sequence(lambda n: f"Favre{n}")
    function = "Gérante"
    email = factory.Sequence(lambda n: f"contact{n}@gerance.ch")
    language = "fr"


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"2026-{n + 1:05d}")
    title = "Remplacement de la pompe de circulation"
    client = factory.SubFactory(ClientFactory)
    responsible = factory.SubFactory(EmployeeFactory)
    start_date = datetime.date(2026, 11, 2)

    @factory.post_generation
    def buildings(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.buildings.set(extracted)


class WorkReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkReport

    order = factory.SubFactory(OrderFactory)
    date = datetime.date(2026, 11, 20)
    remarks = "Installation contrôlée, pression OK."


class WorkReportLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkReportLine

    report = factory.SubFactory(WorkReportFactory)
    date = datetime.date(2026, 11, 20)
    employee = factory.SubFactory(EmployeeFactory)
    hours = Decimal("2.50")
    description = "Démontage de l'ancienne pompe"


class WorkReportMaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkReportMaterial

    report = factory.SubFactory(WorkReportFactory)
    description = "Pompe Grundfos Alpha2"
    quantity = Decimal("1")
    unit = "pce"


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    order = factory.SubFactory(OrderFactory)
    number = factory.Sequence(lambda n: f"OF-2026-{n + 1:04d}")
    date = datetime.date(2026, 11, 10)
    valid_until = datetime.date(2026, 12, 10)


class OfferLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfferLine

    offer = factory.SubFactory(OfferFactory)
    position = factory.Sequence(lambda n: n + 1)
    description = "Main d'œuvre"
    quantity = Decimal("3")
    unit = "h"
    unit_price = Decimal("98.00")
    vat_rate = "8.1"


def default_template(code: str, language: str = "fr") -> EmailTemplate:
    """The default template of a type in a language, as the migrations install them."""
    return EmailTemplate.objects.get(type__code=code, language=language, is_default=True)
