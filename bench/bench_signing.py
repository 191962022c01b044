"""Send with and without the DKIM signature, for messages of about 50 KB, 270 KB and 2.6 MB.

Send is timed as the composer's Send button runs it (email_send): the message built and
read back, signed (or not), stored, the email recorded and queued. Each Send takes a fresh
draft of the free template with one PDF-like attachment of 22 KB, 180 KB or 1.84 MB (the
message grows by base64, and by the demo company's logo in the signature); the draft is
made before the clock starts, and the cases take turns, one Send each, so that the
machine's load weighs on all alike. "unsigned" has no signing key for the sending domain;
"rsa" one RSA 2048 key; "rsa+ed25519" both, side by side (270 KB only). signing_ms_median
is the difference of the medians with the unsigned case of the same size; sign_only times
message_sign alone on the same frozen bytes: dkimpy's RSA is pure Python (tens of ms a
signature, whatever the size), the body hash (SHA-256 of the simple canonical body) grows
with the message.
"""

import os
import random
import statistics
import time
from functools import partial

import django

from bench.common import emit, result_from_samples, timed

DATABASES = ["sqlite", "postgresql"]
QUICK = os.environ.get("BENCH_QUICK") == "1"
# (case name, attachment bytes, Sends per case)
SIZES = [
    ("50KB", 22 * 1024, 8 if QUICK else 40),
    ("270KB", 180 * 1024, 8 if QUICK else 40),
    ("2.6MB", 1880 * 1024, 4 if QUICK else 15),
]
SEED = 2026


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    django.setup()

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from organisatrice.clients.models import Contact
    from organisatrice.content_store import blob_read
    from organisatrice.deliverability.models import DkimAlgorithm, DkimKey
    from organisatrice.deliverability.services import dkim_key_create
    from organisatrice.deliverability.signing import message_sign
    from organisatrice.devtools.demo import demo_seed
    from organisatrice.emails.composer.attachments import draft_attachment_upload
    from organisatrice.emails.composer.drafts import email_draft_create
    from organisatrice.emails.composer.sending import email_send
    from organisatrice.emails.models import EmailDraft, EmailTemplate
    from organisatrice.orders.models import Order
    from organisatrice.people.models import Employee
    from organisatrice.people.selectors import company_settings_get

    call_command("migrate", verbosity=0)
    if not Order.objects.filter(client__contacts__email__gt="").exists():
        demo_seed(orders=20, seed=SEED)
    order = Order.objects.filter(client__contacts__email__gt="").order_by("number").first()
    assert order is not None
    contact = Contact.objects.filter(client_id=order.client_id).exclude(email="").first()
    sender = Employee.objects.get(user__username="dispatcher")
    template = EmailTemplate.objects.get(type__code="free", language="fr", is_default=True)
    company = company_settings_get()
    company.max_attachments_size = 10 * 1024 * 1024
    company.save()
    domain = company.sending_address.rpartition("@")[2]

    # The keys of the cases, made once; each case sets which of them sign.
    DkimKey.objects.filter(domain=domain).delete()
    rsa = dkim_key_create(domain=domain, selector="bench-rsa")
    ed25519 = dkim_key_create(domain=domain, selector="bench-ed", algorithm=DkimAlgorithm.ED25519)

    def signing_with(keys: list[DkimKey]) -> None:
        DkimKey.objects.filter(domain=domain).update(status=DkimKey.Status.PENDING)
        DkimKey.objects.filter(pk__in=[key.pk for key in keys]).update(status=DkimKey.Status.SIGNING)

    noise = random.Random(SEED)

    def draft_with(attachment_bytes: int) -> EmailDraft:
        draft = email_draft_create(order=order, author=sender, template=template, contact=contact)
        content = b"%PDF-1.7\n" + noise.randbytes(attachment_bytes) + b"\n%%EOF\n"
        upload = SimpleUploadedFile("Plan de la chaufferie.pdf", content, content_type="application/pdf")
        draft_attachment_upload(draft=draft, employee=sender, upload=upload)
        return draft

    cases = [("unsigned", []), ("rsa", [rsa])]
    for size, attachment_bytes, sends in SIZES:
        size_cases = [*cases, ("rsa+ed25519", [rsa, ed25519])] if size == "270KB" else cases
        samples: dict[str, list[float]] = {name: [] for name, _keys in size_cases}
        wire: dict[str, list[int]] = {name: [] for name, _keys in size_cases}
        last: dict[str, bytes] = {}
        # Round robin, a Send of each case in turn: the machine's load weighs on all alike.
        for round_number in range(sends + 1):
            for name, keys in size_cases:
                signing_with(keys)
                draft = draft_with(attachment_bytes)
                start = time.perf_counter()
                sent = email_send(draft=draft, employee=sender)
                elapsed = (time.perf_counter() - start) * 1000
                if round_number:  # the first round warms up: caches, the key parsed
                    samples[name].append(elapsed)
                    wire[name].append(sent.raw_size)
                last[name] = blob_read(sent.raw_sha256)
        unsigned_median = statistics.median(samples["unsigned"])
        for name, keys in size_cases:
            assert last[name].startswith(b"DKIM-Signature:") == bool(keys), name
            extra: dict[str, object] = {"message_bytes": int(statistics.median(wire[name]))}
            if name != "unsigned":
                extra["signing_ms_median"] = round(statistics.median(samples[name]) - unsigned_median, 3)
            emit(result_from_samples(bench="signing", case=f"send_{size}_{name}", samples=samples[name], extra=extra))
        unsigned_raw = last["unsigned"]
        # The signature alone, on the same frozen bytes: what Send spends signing, without the
        # noise of the rest of Send.
        signing_with([rsa])
        alone = timed(partial(message_sign, unsigned_raw, sender_address=company.sending_address), repeat=sends)
        emit(
            result_from_samples(
                bench="signing", case=f"sign_only_{size}_rsa", samples=alone, extra={"message_bytes": len(unsigned_raw)}
            )
        )
    DkimKey.objects.filter(domain=domain).delete()


if __name__ == "__main__":
    main()
