"""Rendering a page: one Jinja2 environment (autoescaped), the navigation, security headers.

Every text that came from a file or a person is escaped by Jinja2's autoescape, so a taxa text
``<script>`` or ``=HYPERLINK(…)`` is shown as the characters it is. Pages load their one script
and style sheet from /ui/static/; the Content-Security-Policy allows nothing inline.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.report import fmt
from app.web import swedish
from app.web.session import CSRF_FIELD, WebUser, current_user, read_session, set_cookie

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

# No inline script or style anywhere; images may be data: URIs (the report's charts).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": PAGE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    permission: str


# In the order of the administrator's year; each shown to the roles its page lets in.
NAVIGATION = (
    NavItem("Taxor", "/ui/taxor", "read"),
    NavItem("Ladda upp taxa", "/ui/taxor/ladda-upp", "write"),
    NavItem("Referensprislistor", "/ui/referensprislistor", "report"),
    NavItem("Volymer", "/ui/volymer", "report"),
    NavItem("7 %-kontroll", "/ui/kontroll", "report"),
    NavItem("Förslag till nästa år", "/ui/forslag", "report"),
    NavItem("Rapport", "/ui/rapport", "report"),
    NavItem("Granskningslogg", "/ui/granskningslogg", "audit"),
    NavItem("API-nycklar", "/ui/nycklar", "write"),
)


def navigation(user: WebUser | None, available: frozenset[str]) -> list[NavItem]:
    if user is None:
        return []
    return [n for n in NAVIGATION if n.href in available and user.may(n.permission)]


@cache
def environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        kr=fmt.kr,
        pct=fmt.percent,
        num=fmt.number,
        longdate=fmt.long_date,
        stamp=fmt.stamp,
        say=swedish.say,
        role=lambda r: swedish.ROLE_LABELS.get(r, r),
        status=lambda s: swedish.STATUS_LABELS.get(s, s),
        variant=lambda v: swedish.VARIANT_LABELS.get(v, v),
        kind=lambda k: swedish.KIND_LABELS.get(k, k),
        action=lambda a: swedish.ACTION_LABELS.get(a, a),
        jourkind=lambda k: swedish.JOUR_FINDING_LABELS.get(k, k),
        kr2=lambda v: fmt.kr(v, 2),
        origin=lambda o: swedish.ORIGIN_LABELS.get(o, o),
        column=lambda c: swedish.COLUMN_LABELS.get(c, c),
        taxaonly=lambda r: swedish.TAXA_ONLY_LABELS.get(r, r),
        mode=lambda m: swedish.MODE_LABELS.get(m, m),
        pricerule=lambda r: swedish.PRICE_RULE_LABELS.get(r, r),
        cap=lambda c: swedish.CAP_LABELS.get(c, c) if c else "",
        # TLV publishes the dental-technical cost with every decimal; shown to the öre.
        techcost=lambda t: fmt.kr(Decimal(t), 2) if t else "",
        svnum=lambda text: str(text).replace(".", ",").replace("-", "\u2212"),
    )
    return env


def page(
    request: Request, template: str, title: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    user = current_user(request)
    session = read_session(request)
    available: frozenset[str] = getattr(request.app.state, "web_pages", frozenset())
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            title=title,
            user=user,
            nav=navigation(user, available),
            path=request.url.path,
            csrf=session.csrf if session else "",
            csrf_field=CSRF_FIELD,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    set_cookie(request, response)
    return response


def redirect(request: Request, url: str) -> RedirectResponse:
    """After a POST: 303, so a reload does not send the form again."""
    response = RedirectResponse(url, status_code=303)
    set_cookie(request, response)
    return response


def answer(request: Request, response: Response) -> Response:
    set_cookie(request, response)
    return response


class SecurityHeaders:
    """Adds the pages' headers to every answer under /ui/ that has not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (
            scope["path"] == "/ui" or scope["path"].startswith("/ui/")
        ):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [
                    (k.encode(), v.encode())
                    for k, v in SECURITY_HEADERS.items()
                    if k.encode() not in present
                ]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_headers)
