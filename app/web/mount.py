"""Wiring the pages into the application: routers, static files, error pages, offline docs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import AppError, Forbidden, NotFound
from app.web import admin_routes, analysis_routes, proposal_routes, reference_routes, routes
from app.web.render import STATIC, SecurityHeaders, page, redirect
from app.web.session import LoginRequired
from app.web.swedish import say

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]

# Swagger UI and ReDoc as the PyPI package fastapi-offline ships them (pinned in the lock
# files): /docs works on a network without a CDN, and no copy of them lives in this repository.
DOCS_ASSETS = files("fastapi_offline") / "static"


def _is_page(request: Request) -> bool:
    path = request.url.path
    return path == "/ui" or path.startswith("/ui/")


def _error_page(request: Request, exc: Exception) -> Response:
    if isinstance(exc, LoginRequired):
        return RedirectResponse("/ui/logga-in", status_code=303)
    if isinstance(exc, Forbidden):
        # The role, or a key scoped to other owners (said as app.web.swedish says it).
        message = (
            "Formuläret saknade en giltig säkerhetstoken. Ladda om sidan och försök igen."
            if exc.detail.startswith("csrf")
            else say(exc.detail)
        )
        return page(request, "error.html.j2", "Inte tillåtet", status_code=403, message=message)
    if (
        isinstance(exc, NotFound)
        or (isinstance(exc, StarletteHTTPException) and exc.status_code == 404)
        or isinstance(exc, RequestValidationError)
    ):
        detail = say(exc.detail) if isinstance(exc, NotFound) else "Sidan finns inte."
        return page(request, "error.html.j2", "Finns inte", status_code=404, message=detail)
    if isinstance(exc, AppError):
        return page(
            request,
            "error.html.j2",
            "Det gick inte",
            status_code=exc.status,
            message=say(exc.detail),
        )
    assert isinstance(exc, StarletteHTTPException)
    return page(
        request,
        "error.html.j2",
        "Det gick inte",
        status_code=exc.status_code,
        message=say(str(exc.detail)),
    )


def _pages_or(original: Handler | None) -> Handler:
    """Pages answer errors as pages; everything else keeps the API's JSON handler."""

    async def handler(request: Request, exc: Exception) -> Response:
        if _is_page(request) or original is None:
            return _error_page(request, exc)
        result = original(request, exc)
        return await result if isinstance(result, Awaitable) else result

    return handler


# The docs pages load only the service's own assets: ReDoc's bundle would fetch its logo from
# cdn.redoc.ly (no option turns it off); the browser now never asks. Their inline set-up script
# and styles, and ReDoc's worker (a blob:), need the rest.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; font-src 'self' data:; "
    "frame-ancestors 'none'"
)


def _own_assets_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page


def install_docs(app: FastAPI) -> None:
    """/docs and /redoc from the service's own assets (the app is made with docs_url=None)."""
    app.mount("/docs-assets", StaticFiles(directory=str(DOCS_ASSETS)), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _own_assets_only(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title} – Swagger UI",
                oauth2_redirect_url=oauth2_redirect,
                swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                swagger_css_url="/docs-assets/swagger-ui.css",
                swagger_favicon_url="/docs-assets/favicon.png",
            )
        )

    @app.get(oauth2_redirect, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _own_assets_only(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{app.title} – ReDoc",
                redoc_js_url="/docs-assets/redoc.standalone.js",
                redoc_favicon_url="/docs-assets/favicon.png",
                with_google_fonts=False,
            )
        )


def install(app: FastAPI) -> None:
    """Everything under /ui/, ``/`` → /ui/, and the offline docs. Call after errors.install."""
    app.add_middleware(SecurityHeaders)
    app.mount("/ui/static", StaticFiles(directory=str(STATIC)), name="ui-static")
    routers = (
        routes.router,
        reference_routes.router,
        analysis_routes.router,
        proposal_routes.router,
        admin_routes.router,
    )
    for router in routers:
        app.include_router(router)
    # The navigation links only to pages that exist (some come with their feature's package).
    app.state.web_pages = frozenset(
        r.path for router in routers for r in router.routes if isinstance(r, APIRoute)
    )
    for exc_class in (AppError, StarletteHTTPException, RequestValidationError):
        app.add_exception_handler(exc_class, _pages_or(app.exception_handlers.get(exc_class)))

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> Response:
        return redirect(request, "/ui/")

    install_docs(app)
