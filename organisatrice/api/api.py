"""The integration API, version 1: /api/v1/, its OpenAPI schema and its docs.

A thin layer over the services, selectors and policy the pages use; see the routers.
"""

import json
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Swagger
from ninja.operation import Operation
from ninja.parser import Parser

from . import errors
from .auth import BearerTokenAuth, SessionCsrfAuth
from .email_drafts.router import router as email_drafts_router
from .email_templates.router import router as email_templates_router
from .emails.router import router as emails_router
from .me.router import router as me_router
from .orders.router import router as orders_router
from .tokens.router import router as tokens_router


class JsonObjectParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        # Every body of this API is an object; ninja would read a list or a number as one
        # with no field set, and a PATCH of `[1]` would silently change nothing.
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return data


class OrganisatriceApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The endpoint's function name (order_list, draft_send…): short, stable, unique here.
        return operation.view_func.__name__


api = OrganisatriceApi(
    title="Organisatrice eMail",
    version="1",
    description=(
        "Commandes, gabarits, brouillons, envoi et archive des eMails. "
        "Authentification : `Authorization: Bearer <jeton>` (POST /api/v1/auth/token), "
        "ou la session des pages avec l'en-tête X-CSRFToken."
    ),
    urls_namespace="api-v1",
    # Swagger UI would otherwise send the schema to validator.swagger.io: the docs stay offline.
    docs=Swagger(settings={"validatorUrl": None}),
    auth=[BearerTokenAuth(), SessionCsrfAuth()],
    parser=JsonObjectParser(),
)
errors.install(api)
for router in (tokens_router, orders_router, email_templates_router, email_drafts_router, emails_router, me_router):
    api.add_router("", router)
