"""One error body for every 4xx (schemas.ErrorBody), FastAPI's own errors included.

Handlers raise `ApiError`; FastAPI's HTTPException (404, 405…) and its validation
errors are turned into the same body, so no client ever sees FastAPI's `{"detail": …}`.

The `message` (and each problem's) is said in the language of the request's
Accept-Language (French or English); the `error` code never changes with it. Handlers
pass a service's message as it came (`said(error)`, which keeps a `Text` whole) or a msgid.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from meetings_ui import i18n
from meetings_ui.api.schemas import ErrorBody, Problem
from meetings_ui.domain.messages import N_, Text
from meetings_ui.i18n import said

# A query parameter that does not parse is a 400 with the code its route has always used.
QUERY_ERRORS = {
    "start": "bad_range",
    "end": "bad_range",
    "timezone": "bad_timezone",
    "duration": "bad_duration",
    "status": "bad_status",
}
_HTTP_ERRORS = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}
_HTTP_MESSAGES = {
    404: N_("Nothing at this address."),
    405: N_("This address does not accept this method."),
}
_NOT_AN_OBJECT = frozenset({"model_attributes_type", "dict_type", "model_type"})


class ApiError(Exception):
    """An answer other than success: its status and the error body to send. `message`
    and the `problems` (field, message) are English, translated when sent."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        headers: dict[str, str] | None = None,
        problems: Sequence[tuple[str, str]] = (),
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.problems = tuple(problems)
        self.headers = headers
        self.extra = extra

    def body(self, language: str = i18n.DEFAULT_LANGUAGE) -> ErrorBody:
        """The error body in `language` (the code and the extras as they are)."""
        problems = [
            Problem(field=field, message=i18n.translate(message, language))
            for field, message in self.problems
        ]
        return ErrorBody(
            error=self.error,
            message=i18n.translate(self.message, language),
            problems=problems or None,
            **self.extra,
        )


def invalid(problems: Sequence[tuple[str, str]], **extra: Any) -> ApiError:
    """A 422 naming each field to fix."""
    return ApiError(422, "invalid", N_("Some fields need fixing."), problems=problems, **extra)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: these statuses, and any other 4xx, carry an ErrorBody."""
    return {
        status: {"model": ErrorBody, "description": HTTPStatus(status).phrase}
        for status in statuses
    } | {"4XX": {"model": ErrorBody, "description": "Any other client error"}}


def _send(request: Request, error: ApiError) -> JSONResponse:
    language = i18n.language_of(i18n.negotiate(request.headers.get("accept-language")))
    return JSONResponse(
        error.body(language).model_dump(mode="json", exclude_none=True),
        status_code=error.status,
        headers={**(error.headers or {}), "Content-Language": language},
    )


async def _api_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return _send(request, error)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    phrase = HTTPStatus(error.status_code).phrase
    message = error.detail if isinstance(error.detail, str) else phrase
    if message == phrase:  # Starlette's own words ("Not Found"): ours, translatable
        message = _HTTP_MESSAGES.get(error.status_code, message)
    code = _HTTP_ERRORS.get(error.status_code, "http_error")
    return _send(request, ApiError(error.status_code, code, message, headers=error.headers))


def _field(loc: Sequence[int | str]) -> str:
    """("body", "answers", "topic") → "answers.topic"; the body itself is "body"."""
    return ".".join(str(part) for part in loc[1:]) or str(loc[0])


def _message(item: dict[str, Any]) -> str:
    if item["type"] == "value_error":
        return said(item["ctx"]["error"])  # our own validators' words, without pydantic's prefix
    if item["type"] == "extra_forbidden":
        return N_("is not a field of this request")
    if item["type"] in _NOT_AN_OBJECT and len(item["loc"]) == 1:
        return N_("The request body must be a JSON object.")
    return item["msg"]


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    """Body: 422 with the fields (400 if it is not JSON); query: 400; path: 404."""
    assert isinstance(error, RequestValidationError)
    items = list(error.errors())
    problems = [(_field(item["loc"]), _message(item)) for item in items]
    where = {item["loc"][0] for item in items}
    if any(item["type"] == "json_invalid" for item in items):
        failure = ApiError(400, "bad_json", N_("The request body is not valid JSON."))
    elif "path" in where:
        failure = ApiError(404, "not_found", N_("Nothing at this address."))
    elif "query" in where:
        field, message = problems[0]
        failure = ApiError(
            400,
            QUERY_ERRORS.get(field, "bad_query"),
            Text("{field}: {message}", field=field, message=message),
            problems=problems,
        )
    else:
        failure = invalid(problems)
    return _send(request, failure)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
