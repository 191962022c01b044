from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Security


class MailboxForm(forms.Form):
    host = forms.CharField(label=_("Serveur IMAP"), max_length=253)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535)
    security = forms.ChoiceField(label=_("Sécurité"), choices=Security.choices)
    username = forms.CharField(label=_("Identifiant"), max_length=254)
    # Write-only: never shown back; left empty, the stored one is kept.
    password = forms.CharField(
        label=_("Mot de passe d'application"),
        max_length=1000,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    folder = forms.CharField(
        label=_("Dossier des envoyés"),
        max_length=500,
        required=False,
        help_text=_("Vide : celui que le test trouve (drapeau \\Sent, sinon un nom usuel)."),
    )
