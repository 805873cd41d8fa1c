"""The pages' session: a signed cookie naming the API key, a per-session CSRF token, roles.

The cookie is signed with itsdangerous (the Pallets project's signing library, the one Flask and
Starlette's own SessionMiddleware use) rather than a hand-rolled HMAC: it gets timestamped
signatures, salts and constant-time checks right. We do not use SessionMiddleware itself because
it would run on every API request too; the pages are the only users of a session.

The cookie holds the SHA-256 of the key (never the key), the CSRF token and is re-signed on every
page, so ``max_age`` is an idle timeout. On each request the hash is looked up in the snapshot's
keys, the same table :func:`app.auth.authenticate` reads: a revoked key ends its sessions within
the snapshot interval. Signed, not encrypted: the cookie shows only a hash and a random token.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import FormData

from app.auth import PERMISSIONS, Role, hash_key
from app.config import Settings
from app.deps import settings, snapshot
from app.errors import AppError, Forbidden
from app.snapshot import KeyView

COOKIE = "taxa_session"
COOKIE_PATH = "/ui"
CSRF_FIELD = "csrf"
SALT = "taxa-web-session"


@dataclass(frozen=True)
class WebSession:
    """What the cookie carries. ``key_hash`` None: not logged in (the login form's CSRF only)."""

    csrf: str
    key_hash: str | None = None


@dataclass(frozen=True)
class WebUser:
    key: KeyView
    session: WebSession

    def may(self, permission: str) -> bool:
        return permission in PERMISSIONS[Role(self.key.role)]


class LoginRequired(AppError):
    """No valid session: the page handler answers with a redirect to the login page."""

    status = 401
    code = "login_required"


def _serializer(config: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config.session_secret, salt=SALT)


def read_session(request: Request) -> WebSession | None:
    """The session of the request's cookie, if it is signed by us and not idle too long."""
    cached = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    config = settings(request)
    try:
        data = _serializer(config).loads(raw, max_age=config.session_idle_seconds)
    except BadSignature:  # also SignatureExpired: idle past the timeout
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        return None
    key_hash = data.get("k")
    found = WebSession(csrf=data["c"], key_hash=key_hash if isinstance(key_hash, str) else None)
    request.state.web_session = found
    return found


def new_session(key: str | None = None) -> WebSession:
    """A fresh session (a new CSRF token, so a token seen before login is worthless after)."""
    return WebSession(
        csrf=secrets.token_urlsafe(32), key_hash=None if key is None else hash_key(key)
    )


def use_session(request: Request, session: WebSession) -> None:
    """Make ``session`` the one the response will carry (login, logout)."""
    request.state.web_session = session


def set_cookie(request: Request, response: Response) -> None:
    """Re-sign the request's session onto the response: each page restarts the idle timeout."""
    session: WebSession | None = getattr(request.state, "web_session", None)
    if session is None:
        return
    config = settings(request)
    value = _serializer(config).dumps({"c": session.csrf, "k": session.key_hash})
    response.set_cookie(
        COOKIE,
        value,
        max_age=config.session_idle_seconds,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=config.session_cookie_secure,
    )


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")


def current_user(request: Request) -> WebUser | None:
    session = read_session(request)
    if session is None or session.key_hash is None:
        return None
    key = snapshot(request).keys.get(session.key_hash)
    return None if key is None else WebUser(key, session)


def web_user(permission: str) -> Callable[[Request], WebUser]:
    """A dependency: the logged-in user, whose role must have ``permission`` (else 403)."""

    def dependency(request: Request) -> WebUser:
        user = current_user(request)
        if user is None:
            raise LoginRequired("logga in")
        if not user.may(permission):
            raise Forbidden(f"role {user.key.role!r} may not {permission}")
        request.app.state.last_used.touch(user.key)  # a page is a use of the key, as a call is
        return user

    return dependency


def check_csrf(request: Request, form: FormData) -> None:
    """Every POST carries the session's token in a form field; anything else is refused (403)."""
    session = read_session(request)
    sent = form.get(CSRF_FIELD)
    if (
        session is None
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent.encode("utf-8"), session.csrf.encode("utf-8"))
    ):
        raise Forbidden("csrf: the form's token is missing or does not belong to this session")
