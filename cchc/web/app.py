"""The application object: pages, API, static files, sessions, errors.

``create_app(config)`` builds a FastAPI application; ``cchc serve`` runs it with uvicorn.
Errors the user can fix (:class:`scoring.errors.CchcError`) become a page (or, under
``/api/``, a JSON body) with the same message the command line prints; anything else is
logged with its traceback and shown as one line, never as a stack trace.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request

from scoring import __version__
from scoring.errors import CchcError, Problem
from scoring.i18n import _, get_language, ngettext

from .config import WebConfig
from .library import Library, NotFound
from .security import (
    AuthMiddleware,
    BodyLimitMiddleware,
    Forbidden,
    LanguageMiddleware,
    TooLarge,
    csrf_token,
)
from .views import num

HERE = Path(__file__).parent
LOG = logging.getLogger("cchc.web")
BODY_OVERHEAD = 64 * 1024


@dataclass(frozen=True)
class Context:
    """What every request handler reads (nothing here changes after start)."""

    config: WebConfig
    library: Library
    templates: Jinja2Templates

    def page(self, request: Request, name: str, status: int = 200, **values: Any) -> Response:
        """Render template ``name`` with the values every page needs."""
        lib = self.library
        values.setdefault("rules_id", request.query_params.get("rules") or lib.default_rules)
        values.setdefault("data_id", request.query_params.get("data") or lib.default_data)
        return self.templates.TemplateResponse(request, name, {
            "csrf": csrf_token(request), "lang": get_language(), "version": __version__,
            "auth": self.config.auth_required, "user": request.session.get("user"),
            "rulesets": lib.rulesets(), "datasets": lib.datasets(), "path": request.url.path,
            **values}, status_code=status)


def context(request: Request) -> Context:
    return request.app.state.ctx


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.globals.update(_=_, ngettext=ngettext, num=num)
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates


def _status(err: CchcError) -> int:
    if isinstance(err, NotFound):
        return 404
    if isinstance(err, Forbidden):
        return 403
    if isinstance(err, TooLarge):
        return 413
    return 400


def error_response(request: Request, status: int, problems: list[str]) -> Response:
    """The same messages as the command line: JSON under /api/, else a page."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": "\n".join(problems), "problems": problems,
                             "status": status}, status_code=status)
    ctx = context(request)
    if request.headers.get("hx-request"):
        return ctx.templates.TemplateResponse(request, "_error.html", {"problems": problems},
                                              status_code=200,
                                              headers={"HX-Reswap": "innerHTML"})
    try:
        return ctx.page(request, "error.html", status=status, problems=problems)
    except CchcError:  # the page itself needs a rule set that does not load
        return ctx.templates.TemplateResponse(request, "_error.html", {"problems": problems},
                                              status_code=status)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(CchcError)
    async def cchc_error(request: Request, err: CchcError) -> Response:
        return error_response(request, _status(err), [str(p) for p in err.problems])

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException) -> Response:
        if err.status_code == 404:
            text = str(Problem(_("there is no page {path}").format(path=request.url.path),
                               fix=_("use the menu at the top")))
        elif err.status_code == 405:
            text = str(Problem(_("this address does not accept {method}").format(
                method=request.method), fix=_("use the application's own pages")))
        else:
            text = str(err.detail)
        return error_response(request, err.status_code, [text])

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, err: RequestValidationError) -> Response:
        problems = []
        for e in err.errors():
            where = ".".join(str(x) for x in e.get("loc", ())[1:])
            problems.append(str(Problem(_("the value is not valid ({detail})").format(
                detail=e.get("msg", "")), field=where or None,
                fix=_("correct the value and try again"))))
        return error_response(request, 400, problems)

    @app.exception_handler(Exception)
    async def internal(request: Request, err: Exception) -> Response:
        LOG.exception("internal error on %s %s", request.method, request.url.path)
        text = _("internal error: {kind}: {error}. The details are in the server's log; "
                 "report it.").format(kind=type(err).__name__, error=err)
        return error_response(request, 500, [text])


def create_app(config: WebConfig) -> FastAPI:
    """The web application for ``config`` (one :class:`Library` of cached results)."""
    from . import api, pages

    app = FastAPI(title="cchc", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.ctx = Context(config=config, library=Library(config), templates=_templates())
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    _install_errors(app)
    # outermost last: body limit, language, session, then the sign-in check
    app.add_middleware(AuthMiddleware, required=config.auth_required)
    app.add_middleware(SessionMiddleware, secret_key=config.secret_key,
                       session_cookie="cchc_session", max_age=12 * 3600, same_site="strict",
                       https_only=config.secure_cookies)
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(BodyLimitMiddleware, limit=config.max_upload_bytes + BODY_OVERHEAD)
    return app
