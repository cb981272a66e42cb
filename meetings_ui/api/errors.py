"""One error body for every 4xx (schemas.ErrorBody), FastAPI's own errors included.

Handlers raise `ApiError`; FastAPI's HTTPException (404, 405…) and its validation
errors are turned into the same body, so no client ever sees FastAPI's `{"detail": …}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from meetings_ui.api.schemas import ErrorBody, Problem

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
_NOT_AN_OBJECT = frozenset({"model_attributes_type", "dict_type", "model_type"})


class ApiError(Exception):
    """An answer other than success: its status and the error body to send."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = ErrorBody(error=error, message=message, **extra)
        self.headers = headers


def invalid(problems: Sequence[tuple[str, str]], **extra: Any) -> ApiError:
    """A 422 naming each field to fix."""
    return ApiError(
        422,
        "invalid",
        "Some fields need fixing.",
        problems=[Problem(field=field, message=message) for field, message in problems],
        **extra,
    )


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: these statuses, and any other 4xx, carry an ErrorBody."""
    return {
        status: {"model": ErrorBody, "description": HTTPStatus(status).phrase}
        for status in statuses
    } | {"4XX": {"model": ErrorBody, "description": "Any other client error"}}


def _send(error: ApiError) -> JSONResponse:
    return JSONResponse(
        error.body.model_dump(mode="json", exclude_none=True),
        status_code=error.status,
        headers=error.headers,
    )


async def _api_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return _send(error)


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    message = (
        error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    )
    code = _HTTP_ERRORS.get(error.status_code, "http_error")
    return _send(ApiError(error.status_code, code, message, headers=error.headers))


def _field(loc: Sequence[int | str]) -> str:
    """("body", "answers", "topic") → "answers.topic"; the body itself is "body"."""
    return ".".join(str(part) for part in loc[1:]) or str(loc[0])


def _message(item: dict[str, Any]) -> str:
    if item["type"] == "value_error":
        return str(item["ctx"]["error"])  # our own validators' words, without pydantic's prefix
    if item["type"] == "extra_forbidden":
        return "is not a field of this request"
    if item["type"] in _NOT_AN_OBJECT and len(item["loc"]) == 1:
        return "The request body must be a JSON object."
    return item["msg"]


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    """Body: 422 with the fields (400 if it is not JSON); query: 400; path: 404."""
    assert isinstance(error, RequestValidationError)
    items = list(error.errors())
    problems = [(_field(item["loc"]), _message(item)) for item in items]
    where = {item["loc"][0] for item in items}
    if any(item["type"] == "json_invalid" for item in items):
        failure = ApiError(400, "bad_json", "The request body is not valid JSON.")
    elif "path" in where:
        failure = ApiError(404, "not_found", "Nothing at this address.")
    elif "query" in where:
        field, message = problems[0]
        failure = ApiError(
            400,
            QUERY_ERRORS.get(field, "bad_query"),
            f"{field}: {message}",
            problems=[Problem(field=f, message=m) for f, m in problems],
        )
    else:
        failure = invalid(problems)
    return _send(failure)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
