"""The demo shows what the composer knows of documents: two reports of a day, an expired offer, main contacts."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from organisatrice.clients.models import Client, Contact
from organisatrice.orders.models import Offer, Order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_tech1s_orders_have_two_reports_of_a_day_and_an_expired_offer_and_clients_a_main_contact():
    call_command("seed_demo", orders=40, force=True, stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)

    tech1s = Order.objects.filter(responsible__user__username="tech1")
    same_day = tech1s.annotate(days=Count("work_reports__date", distinct=True), reports=Count("work_reports")).filter(
        reports=2, days=1
    )
    assert same_day.exists()
    assert Offer.objects.filter(order__in=tech1s, valid_until__lt=timezone.localdate()).exists()
    reachable = Client.objects.filter(contacts__email__gt="").distinct()
    assert Contact.objects.filter(is_main=True, email__gt="", client__in=reachable).count() == reachable.count()
