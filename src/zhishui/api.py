"""The JSON API at /api/v1/: one NinjaAPI, each app's router mounted here.

Authentication is a bearer token (``Authorization: Bearer …``) or the browser session (with
CSRF). Errors always carry a machine code plus Chinese and English messages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from zhishui.calc.api import router as calc_router
from zhishui.core.api import router as core_router
from zhishui.core.api_auth import SessionAuth, TokenAuth
from zhishui.core.api_errors import error_body, pydantic_errors
from zhishui.core.errors import ValidationFailure
from zhishui.filing.api import router as filing_router
from zhishui.invoicing.api import router as invoicing_router
from zhishui.reform.api import router as reform_router
from zhishui.registry.api import router as registry_router


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="智税 zhishui API",
    version="1",
    description="智慧税务平台接口 / Smart tax administration platform API",
    auth=[TokenAuth(), SessionAuth()],
    renderer=ChineseJSONRenderer(),
    urls_namespace="api",
)


@api.exception_handler(ValidationFailure)
def on_validation_failure(request, exc: ValidationFailure):
    return api.create_response(request, exc.as_dict(), status=422)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc: NinjaValidationError):
    return api.create_response(request, pydantic_errors(exc.errors).as_dict(), status=422)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(request, error_body("unauthenticated", "需要登录或有效的访问令牌",
                                                   "authentication required"), status=401)


@api.exception_handler(PermissionDenied)
def on_denied(request, exc):
    return api.create_response(request, error_body("forbidden", "当前角色无权执行此操作",
                                                   "your role does not allow this"), status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body("not_found", "记录不存在或无权查看",
                                                   "not found or not visible to you"), status=404)


api.add_router("/", core_router)
api.add_router("/", registry_router)
api.add_router("/", reform_router)
api.add_router("/", calc_router)
api.add_router("/", filing_router)
api.add_router("/", invoicing_router)
