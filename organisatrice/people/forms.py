from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CompanySettings

# The megabyte of swiss_numbers.filesize_format, which states the limit to those who compose: 1024 × 1024 bytes.
MEGABYTE = 1024 * 1024
# SMTP servers refuse far less; the limit must stay inside the model's PositiveIntegerField.
MAX_ATTACHMENTS_MB = 2000


class CompanySettingsForm(forms.ModelForm):
    """The company's settings, with the attachment limit typed in megabytes; the row keeps bytes."""

    max_attachments_size_mb = forms.DecimalField(
        label=_("taille maximale des annexes (Mo)"),
        min_value=Decimal("0.1"),
        max_value=MAX_ATTACHMENTS_MB,
        max_digits=6,
        decimal_places=1,
        help_text=_("Total des annexes d'un eMail, en mégaoctets ; 10 Mo conviennent à la plupart des destinataires."),
        widget=forms.NumberInput(attrs={"step": "0.1", "class": "vTextField", "inputmode": "decimal"}),
    )

    class Meta:
        model = CompanySettings
        # The bytes are written by clean(), from the megabytes.
        fields = [
            "name",
            "street",
            "postal_code",
            "city",
            "phone",
            "website",
            "logo",
            "vat_number",
            "email_enabled",
            "sending_address",
            "sending_domain",
            "sender_name_format",
            "bcc_me_default",
            "logo_in_emails",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["max_attachments_size_mb"].initial = (
            Decimal(self.instance.max_attachments_size) / MEGABYTE
        ).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        megabytes = cleaned.get("max_attachments_size_mb")
        if megabytes is not None:
            # Before the model's own validation, which then sees the bytes.
            self.instance.max_attachments_size = int(megabytes * MEGABYTE)
        return cleaned
