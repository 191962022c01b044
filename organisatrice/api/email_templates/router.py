from typing import Annotated

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from organisatrice.emails.models import EmailTemplate
from organisatrice.emails.templating.selectors import email_templates_active
from organisatrice.people.models import Language

from ..errors import responses
from ..schemas import Text
from .schemas import EmailTemplateOut

router = Router(tags=["Gabarits"])


@router.get("/email-templates", response=responses({200: list[EmailTemplateOut]}))
def template_list(
    request: HttpRequest,
    type: Annotated[Text | None, Query(None, max_length=50, description="Le code du type (work_report…).")] = None,
    language: Language | None = None,
) -> QuerySet[EmailTemplate]:
    """The active templates, the default one first for each type and language."""
    return email_templates_active(type_code=type, language=language)
