from ninja import Field, Schema

from ..schemas import InputSchema, Text


class TokenIn(InputSchema):
    username: Text = Field(max_length=150)
    password: Text = Field(max_length=4096)
    name: Text = Field("API", max_length=100, description="Ce qui utilise le jeton, par exemple « ERP ».")


class TokenOut(Schema):
    # An IssuedToken: the key in clear and the stored token.
    token: str = Field(alias="key", description="Le jeton, affiché cette seule fois : seul son SHA-256 est conservé.")
    id: int = Field(alias="token.pk")
    name: str = Field(alias="token.name")
    prefix: str = Field(alias="token.prefix")
