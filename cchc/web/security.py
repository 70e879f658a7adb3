"""Who may use the application and what a request may carry.

* **Sign-in**: when a password is configured, every page but the sign-in page, the
  static files and ``/api/health`` needs a signed session cookie (HttpOnly,
  SameSite=Strict, ``Secure`` behind HTTPS); the API answers 401 instead of redirecting.
* **CSRF**: every form post carries the session's token (a hidden field, or the
  ``X-CSRF-Token`` header htmx sends); a JSON post must be ``application/json`` (which a
  page on another site cannot send without the browser asking first) and, like every
  post, must not come from another origin.
* **Body size**: a request body over the upload limit is refused before it is read
  whole.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scoring.errors import Problem, UsageError
from scoring.i18n import _, language

from .uploads import too_large

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
OPEN_PATHS = ("/login", "/static/", "/api/health", "/favicon.ico")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


class Forbidden(UsageError):
    """A request the application refuses (HTTP 403)."""


class TooLarge(UsageError):
    """A request body over the limit (HTTP 413)."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def _same_origin(request: Request) -> bool:
    """Browsers send ``Origin`` with every cross-site post; scripts may send none."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin != "null" and urlsplit(origin).netloc == request.headers.get("host", "")


def check_origin(request: Request) -> None:
    if not _same_origin(request):
        raise Forbidden(Problem(_("the request comes from another site"), field="Origin",
                                fix=_("use the application's own pages")))


async def checked_form(request: Request) -> FormData:
    """The posted form, after checking its CSRF token and origin."""
    check_origin(request)
    form = await request.form()
    sent = str(form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or "")
    expected = request.session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden(Problem(_("the form has expired or was not sent by this application"),
                                field=CSRF_FIELD,
                                fix=_("reload the page and send the form again")))
    return form


def check_json_post(request: Request) -> None:
    """A JSON post: right content type, same origin."""
    check_origin(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise UsageError(Problem(_("the request body must be JSON"), field="Content-Type",
                                 fix=_("send Content-Type: application/json")))


class LanguageMiddleware:
    """Answer each request in its language: ``?lang=``, else the ``lang`` cookie, else
    the server's; the choice is local to the request (other requests keep theirs)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        lang = request.query_params.get("lang") or request.cookies.get("lang")
        if lang:
            with language(lang):
                await self.app(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Refuse request bodies over ``limit`` bytes (declared or actually sent)."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        over = declared is not None and declared.isdigit() and int(declared) > self.limit
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            if over:
                raise TooLarge(too_large(self.limit).problems)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise TooLarge(too_large(self.limit).problems)
            return message

        await self.app(scope, counted, send)


class AuthMiddleware:
    """Send requests without a signed-in session to the sign-in page (API: 401)."""

    def __init__(self, app: ASGIApp, required: bool):
        self.app = app
        self.required = required

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.required or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        session: dict[str, Any] = scope.get("session") or {}
        if session.get("user") or path.startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        if path.startswith("/api/"):
            body = b'{"error": "sign in first", "status": 401}'
            await send({"type": "http.response.start", "status": 401,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        query = scope.get("query_string", b"").decode("latin-1")
        target = path + (f"?{query}" if query else "")
        location = "/login?next=" + quote(target, safe="")
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", location.encode("latin-1")),
                                (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
