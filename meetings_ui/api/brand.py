"""robots.txt for every host (S15) and the domains' logos (S14), served by the backend."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from meetings_ui import routes
from meetings_ui.services import domain_brand

router = APIRouter(include_in_schema=False)


@router.get(routes.ROBOTS_TXT)
def robots_txt(request: Request) -> Response:
    text = domain_brand.robots_for_host(host=request.headers.get("host"))
    if text is None:
        return PlainTextResponse("Not found: this host is not served here.\n", status_code=404)
    return PlainTextResponse(text, headers={"Cache-Control": "public, max-age=300"})


@router.get(f"{routes.DOMAIN_LOGO_PREFIX}/{{domain_id}}/{{version}}.png")
def domain_logo(domain_id: int, version: str) -> Response:
    """The logo as stored (a re-encoded PNG). The URL names its digest, so a new logo has
    a new URL and the old one may be cached for long."""
    logo = domain_brand.logo_bytes(domain_id=domain_id)
    if logo is None or not logo.sha256.startswith(version) or len(version) < 16:
        return PlainTextResponse("No such logo.\n", status_code=404)
    return Response(
        logo.data,
        media_type=logo.content_type,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "public, max-age=31536000, immutable",
            "ETag": f'"{logo.sha256}"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
