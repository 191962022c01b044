import datetime

from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator

from ..schemas import InputSchema, Text
from ..services import ApiTokenError, api_token_expiry_check


class TokenIn(InputSchema):
    username: Text = Field(max_length=150)
    password: Text = Field(max_length=4096)
    name: Text = Field("API", max_length=100, description="Ce qui utilise le jeton, par exemple « ERP ».")
    expires_at: datetime.datetime | None = Field(
        None,
        description="Quand le jeton cesse de valoir (ISO 8601 ; sans fuseau, l'heure de Zurich). "
        "Absent : jusqu'à sa révocation.",
    )

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        try:
            api_token_expiry_check(value)
        except ApiTokenError as error:
            raise ValueError(str(error)) from None
        return value


class TokenOut(Schema):
    # An IssuedToken: the key in clear and the stored token.
    token: str = Field(alias="key", description="Le jeton, affiché cette seule fois : seul son SHA-256 est conservé.")
    id: int = Field(alias="token.pk")
    name: str = Field(alias="token.name")
    prefix: str = Field(alias="token.prefix")
    expires_at: datetime.datetime | None = Field(alias="token.expires_at")
