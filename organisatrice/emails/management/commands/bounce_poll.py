"""`manage.py bounce_poll`: reads the bounce mailbox once now (the task does it every interval)."""

import json
from typing import Any

from django.core.management.base import BaseCommand

from organisatrice.emails.delivery.polling import bounce_mailbox_get, bounce_poll_run


class Command(BaseCommand):
    help = "Lit la boîte des retours (bounces, avis de remise) une fois, maintenant."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = bounce_poll_run()
        self.stdout.write(json.dumps(outcome))
        row = bounce_mailbox_get()
        if row.last_error:
            self.stderr.write(row.last_error)
