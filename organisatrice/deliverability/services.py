"""Writes of the DKIM keys: create, switch to signing (rotation), retire."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisatrice.vault import secret_encrypt

from .keys import private_key_generate, private_key_load, private_key_read_file, public_key_b64
from .models import DkimAlgorithm, DkimKey
from .validators import domain_normalise, domain_validate, selector_validate


class KeyStateInvalid(ValueError):
    """An illegal move of a key's state; the message is for the user."""


def dkim_key_create(
    *,
    domain: str,
    selector: str,
    algorithm: str = DkimAlgorithm.RSA,
    private_key_path: str = "",
    signing: bool = False,
) -> DkimKey:
    """A new key for the domain: generated (and stored encrypted) or read from the operator's file.

    With `signing`, it signs from now on in place of the domain's key of the same algorithm
    (the command line's way); otherwise it waits for its record to be published.
    Raises ValidationError (field → messages) for a bad domain, selector or key file.
    """
    domain, selector = domain_normalise(domain), selector.strip().lower()
    errors: dict[str, list[str]] = {}
    for field, value, validate in (("domain", domain, domain_validate), ("selector", selector, selector_validate)):
        try:
            validate(value)
        except ValidationError as error:
            errors[field] = error.messages
    if not errors and DkimKey.objects.filter(domain=domain, selector=selector).exists():
        errors["selector"] = [
            _("Le sélecteur « %(selector)s » existe déjà pour %(domain)s : choisissez-en un nouveau.")
            % {"selector": selector, "domain": domain}
        ]
    if errors:
        raise ValidationError(errors)
    if private_key_path:
        pem = private_key_read_file(private_key_path)
        encrypted = ""
    else:
        pem = private_key_generate(algorithm)
        encrypted = secret_encrypt(pem)
    public_key = public_key_b64(private_key_load(pem, algorithm))
    with transaction.atomic():
        key = DkimKey.objects.create(
            domain=domain,
            selector=selector,
            algorithm=algorithm,
            private_key_encrypted=encrypted,
            private_key_path=private_key_path,
            public_key=public_key,
        )
        if signing:
            key = _switch(key)
    return key


def _switch(key: DkimKey) -> DkimKey:
    now = timezone.now()
    DkimKey.objects.filter(domain=key.domain, algorithm=key.algorithm, status=DkimKey.Status.SIGNING).exclude(
        pk=key.pk
    ).update(status=DkimKey.Status.RETIRED, retired_at=now)
    key.status, key.activated_at, key.retired_at = DkimKey.Status.SIGNING, now, None
    key.save(update_fields=["status", "activated_at", "retired_at"])
    return key


def dkim_key_activate(*, key: DkimKey) -> DkimKey:
    """Makes the key its domain's signing key for its algorithm; the one it replaces is retired.

    The caller has checked that the key's record is published (checks.dkim_key_published).
    """
    with transaction.atomic():
        key = DkimKey.objects.select_for_update().get(pk=key.pk)
        if key.status == DkimKey.Status.SIGNING:
            raise KeyStateInvalid(_("La clé %(key)s signe déjà.") % {"key": key})
        return _switch(key)


def dkim_key_retire(*, key: DkimKey) -> DkimKey:
    """Stops signing with the key (its domain sends unsigned if it was the only one)."""
    with transaction.atomic():
        key = DkimKey.objects.select_for_update().get(pk=key.pk)
        if key.status == DkimKey.Status.RETIRED:
            raise KeyStateInvalid(_("La clé %(key)s est déjà retirée.") % {"key": key})
        key.status, key.retired_at = DkimKey.Status.RETIRED, timezone.now()
        key.save(update_fields=["status", "retired_at"])
        return key
