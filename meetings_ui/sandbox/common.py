"""Pieces shared by the sandbox's Google and Microsoft halves: the consent page, time
formats and error bodies."""

from __future__ import annotations

import base64
import html
import time
from collections.abc import Callable, Collection
from datetime import UTC, date, datetime
from urllib.parse import unquote, urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from meetings_ui.config import SANDBOX_CLIENT_ID
from meetings_ui.domain.enums import Provider
from meetings_ui.sandbox.store import Grant, SandboxError, SandboxEvent, SandboxStore

CODE_SECONDS = 300

# What Google's consent screen says for each scope we ask, one checkbox each.
GOOGLE_SCOPE_LABELS = {
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly": (
        "See the list of Google calendars you're subscribed to"
    ),
    "https://www.googleapis.com/auth/calendar.freebusy": "View your availability in your calendars",
    "https://www.googleapis.com/auth/calendar.events.owned": (
        "See, create, change, and delete events on Google calendars you own"
    ),
}

# The callback URLs registered for the sandbox's OAuth client, by provider. A function, read
# on each request: the app's backend URL may be settled only after the sandbox is built.
RedirectUris = Callable[[str], Collection[str]]


def parse_instant(value: str) -> datetime:
    """RFC 3339 (Google) or Graph's offset-less UTC dateTime."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise SandboxError(400, f"Invalid date-time: {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_date(value: str) -> date:
    """A calendar date, yyyy-mm-dd (Google's all-day `date`)."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise SandboxError(400, f"Invalid date: {value!r}") from None


def instant_of(body: dict, key: str) -> datetime | None:
    """The {"dateTime": ...} field `key` of a request body, when it is there."""
    return parse_instant(body[key].get("dateTime", "")) if key in body else None


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def delete_or_update_event(
    request: Request,
    store: SandboxStore,
    event: SandboxEvent,
    render: Callable[[SandboxEvent], dict],
    *,
    title_key: str,
    description_key: str | None = None,
) -> Response:
    """DELETE cancels the event (204); PATCH changes the fields the body gives and answers
    the event, as both providers do."""
    if request.method == "DELETE":
        store.cancel_event(event)
        return Response(status_code=204)
    body = await request_json(request)
    store.update_event(
        event,
        summary=body.get(title_key),
        description=body.get(description_key) if description_key else None,
        start=instant_of(body, "start"),
        end=instant_of(body, "end"),
    )
    return JSONResponse(render(event))


async def request_json(request: Request) -> dict:
    try:
        body = await request.json()
    except ValueError:
        raise SandboxError(400, "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise SandboxError(400, "The request body must be a JSON object")
    return body


def consent_page(
    request: Request,
    store: SandboxStore,
    provider: str,
    provider_label: str,
    scopes: list[str],
    redirect_uris: RedirectUris,
) -> Response:
    """The provider's consent screen: pick a demo account, then allow or deny."""
    params = dict(request.query_params)
    refused = _refused_request(params, provider, redirect_uris)
    if refused is not None:
        return refused
    accounts = [a for (p, _), a in store.accounts.items() if p == provider]  # demo accounts first
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
    )
    choices = "".join(
        f'<label><input type="radio" name="account" value="{html.escape(a.email)}"'
        f"{' checked' if i == 0 else ''}> {html.escape(a.display_name)} "
        f"&lt;{html.escape(a.email)}&gt;</label><br>"
        for i, a in enumerate(accounts)
    )
    if provider == Provider.GOOGLE:  # granular consent: each permission can be unticked
        scope_items = '<input type="hidden" name="granular_consent" value="1">' + "".join(
            f'<li><label><input type="checkbox" name="granted_scope" value="{html.escape(s)}"'
            f" checked> {html.escape(GOOGLE_SCOPE_LABELS.get(s, s))}</label></li>"
            for s in scopes
        )
    else:
        scope_items = "".join(f"<li>{html.escape(s)}</li>" for s in scopes)
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Sign in with {provider_label} (sandbox)</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto">
<p role="note"><strong>Provider sandbox.</strong> This page stands in for {provider_label}:
no real account is used.</p>
<h1>Sign in with {provider_label}</h1>
<form method="post">{hidden}
<fieldset><legend>Choose an account</legend>{choices}</fieldset>
<p>Meetings wants to:</p><ul>{scope_items}</ul>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></body></html>"""
    return HTMLResponse(page)


def _refused_request(
    params: dict[str, str], provider: str, redirect_uris: RedirectUris
) -> Response | None:
    """The error page the provider shows instead of its consent screen, if any. As at
    Google and Microsoft, only a redirect_uri registered for the client is ever used, so
    the consent page cannot send a code (or anyone) to another site."""
    error = _authorize_error(params)
    if error:
        return HTMLResponse(f"<h1>Error 400: invalid_request</h1><p>{html.escape(error)}</p>", 400)
    redirect_uri = params["redirect_uri"]
    if redirect_uri in redirect_uris(provider):
        return None
    if provider == Provider.GOOGLE:
        title = "Error 400: redirect_uri_mismatch"
        detail = (
            "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 "
            f"policy: the redirect URI {redirect_uri} is not registered for this client."
        )
    else:
        title = "AADSTS50011"
        detail = (
            f"The redirect URI '{redirect_uri}' specified in the request does not match the "
            f"redirect URIs configured for the application '{SANDBOX_CLIENT_ID}'."
        )
    return HTMLResponse(
        f"<h1>{html.escape(title)}</h1><p>{html.escape(detail)}</p>", status_code=400
    )


def _authorize_error(params: dict[str, str]) -> str | None:
    if params.get("response_type") != "code":
        return "response_type must be code"
    if params.get("client_id") != SANDBOX_CLIENT_ID:
        return "The OAuth client was not found."
    if not params.get("redirect_uri", "").startswith(("http://", "https://")):
        return "redirect_uri is missing or invalid"
    if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
        return "PKCE with code_challenge_method=S256 is required"
    return None


async def consent_decision(
    request: Request, store: SandboxStore, provider: str, redirect_uris: RedirectUris
) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    refused = _refused_request(form, provider, redirect_uris)
    if refused is not None:
        return refused
    redirect_uri = form["redirect_uri"]
    answer: dict[str, str] = {}
    if form.get("decision") != "allow":
        answer = {"error": "access_denied"}
    else:
        account = store.account(provider, str(form.get("account", "")))
        granted = _granted_scope(await request.form(), form.get("scope", ""))
        answer = {
            "code": store.issue_code(
                Grant(
                    provider=provider,
                    client_id=form["client_id"],
                    redirect_uri=redirect_uri,
                    account_email=account.email,
                    scope=granted,
                    code_challenge=form["code_challenge"],
                    code_challenge_method=form["code_challenge_method"],
                    nonce=form.get("nonce"),
                    expires_at=time.time() + CODE_SECONDS,
                )
            )
        }
        if provider == Provider.GOOGLE:
            answer["scope"] = granted
    if form.get("state"):
        answer["state"] = form["state"]
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(redirect_uri + separator + urlencode(answer), status_code=302)


def _granted_scope(form: FormData, requested: str) -> str:
    """What the person granted. Google's granular consent lets them untick any requested
    scope and still allow: then only the ticked ones are granted, and the redirect and the
    token response's `scope` list only those. A decision posted without the consent
    page's checkboxes grants what was requested."""
    if not form.get("granular_consent"):
        return requested
    ticked = set(form.getlist("granted_scope"))
    return " ".join(scope for scope in requested.split() if scope in ticked)


def client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """client_secret_basic or client_secret_post, as both providers accept."""
    header = request.headers.get("authorization", "")
    if header.startswith("Basic "):
        decoded = base64.b64decode(header[6:]).decode()
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return form.get("client_id", ""), form.get("client_secret", "")


def redeem_authorization_code(
    store: SandboxStore, provider: Provider, form: dict[str, str], client_id: str
) -> tuple[Grant, str, str]:
    """The token endpoint's authorization_code grant (PKCE checked): the grant, a new
    access token and a refresh token. SandboxError when the code is refused."""
    grant = store.redeem_code(
        provider,
        form.get("code", ""),
        client_id,
        form.get("redirect_uri", ""),
        form.get("code_verifier", ""),
    )
    access, refresh = store.issue_tokens(provider, client_id, grant.account_email, grant.scope)
    return grant, access, refresh


def oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)
