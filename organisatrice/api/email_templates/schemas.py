from ninja import Schema


class TemplateTypeOut(Schema):
    code: str
    name: str


class EmailTemplateOut(Schema):
    id: int
    name: str
    type: TemplateTypeOut
    language: str
    is_default: bool
    attachment_kind: str
    subject: str
    greeting: str
    motivation: str
    body: str
    closing: str
