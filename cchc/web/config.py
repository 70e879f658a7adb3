"""How the web application runs: where it keeps files, who may use it, its limits.

Binding to anything but the loopback address needs a password: a users file
(``--users FILE``, names with salted scrypt hashes, see :mod:`cchc.web.users`) or the shared
password in the environment variable ``CCHC_PASSWORD`` (kept only as a salted scrypt hash
and compared in constant time), or both. Uploads and saved variants go into the *workspace* folder,
nowhere else.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scoring.errors import Problem, UsageError
from scoring.i18n import _
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES

from .users import hash_password, read_users

PASSWORD_ENV = "CCHC_PASSWORD"
DEFAULT_UPLOAD_MB = 50
WORKSPACE_DIRS = ("rules", "datasets", "tmp")
def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _secret(workspace: Path) -> str:
    """The key that signs session cookies, kept in the workspace (readable by its owner)."""
    path = workspace / ".secret"
    if path.is_file():
        text = path.read_text(encoding="ascii").strip()
        if len(text) >= 32:
            return text
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key


@dataclass(frozen=True)
class WebConfig:
    """Settings of one running web application.

    Attributes
    ----------
    workspace : Path
        Folder for uploads, saved variants and temporary files (``rules/``,
        ``datasets/``, ``tmp/``).
    rules, data : Path
        The rule set and dataset shown first.
    host : str
        Address the server listens on (for the start message and the password rule).
    password_hash : str or None
        The shared password's hash: signs anyone in when set.
    users_file : Path or None
        The users file: signs in its users, each with their own password.
    secret_key : str
        Signs the session cookie.
    max_upload_bytes : int
        Largest request body accepted (uploads).
    secure_cookies : bool
        Mark the session cookie ``Secure`` (behind an HTTPS proxy).
    cache_size : int
        How many scored results (per rule set and dataset) stay in memory.
    previous : Path, optional
        Last year's ranking (a ``cchc rank`` workbook or an ``agency_id, rank, index``
        table): the unit page shows the unit's rank then and now.
    """

    workspace: Path
    rules: Path = BUNDLED_RULES
    data: Path = BUNDLED_DATASET
    host: str = "127.0.0.1"
    password_hash: str | None = None
    users_file: Path | None = None
    secret_key: str = ""
    max_upload_bytes: int = DEFAULT_UPLOAD_MB * 1024 * 1024
    secure_cookies: bool = False
    cache_size: int = 16
    previous: Path | None = None

    def replace(self, **changes: Any) -> WebConfig:
        """Return a copy with some settings changed."""
        return replace(self, **changes)

    @property
    def auth_required(self) -> bool:
        return self.password_hash is not None or self.users_file is not None

    @classmethod
    def make(cls, workspace: str | os.PathLike[str], *, rules: Path = BUNDLED_RULES,
             data: Path = BUNDLED_DATASET, host: str = "127.0.0.1",
             password: str | None = None, max_upload_mb: float = DEFAULT_UPLOAD_MB,
             secure_cookies: bool = False, cache_size: int = 16,
             previous: Path | None = None, users: Path | None = None) -> WebConfig:
        """Check the settings, create the workspace and hash the password.

        ``password`` defaults to the environment variable ``CCHC_PASSWORD``; ``users``
        is a users file (read now, so that a bad line stops the start). A host other
        than loopback with neither is refused.
        """
        if password is None:
            password = os.environ.get(PASSWORD_ENV) or None
        if users is not None:
            users = Path(users).expanduser().resolve()
            read_users(users)
        if not is_loopback(host) and not password and users is None:
            raise UsageError(Problem(
                _("listening on {host} lets other computers connect, so a password is "
                  "required").format(host=host), field="--host",
                fix=_("give a users file with --users FILE (add users with --add-user "
                      "NAME), or set the environment variable {env} to a shared password, "
                      "or leave out --host to listen on 127.0.0.1 only").format(
                          env=PASSWORD_ENV)))
        if max_upload_mb <= 0:
            raise UsageError(Problem(_("the upload limit must be positive"),
                                     field="--max-upload-mb", fix=_("give e.g. 50")))
        ws = Path(workspace).expanduser().resolve()
        try:
            for name in WORKSPACE_DIRS:
                (ws / name).mkdir(parents=True, exist_ok=True)
            secret = _secret(ws)
        except OSError as err:
            raise UsageError(Problem(
                _("cannot use the workspace folder: {error}").format(
                    error=err.strerror or err), file=str(ws), field="--workspace",
                fix=_("give a folder you may write to"))) from None
        return cls(workspace=ws, rules=Path(rules), data=Path(data), host=host,
                   password_hash=hash_password(password) if password else None,
                   users_file=users,
                   secret_key=secret, max_upload_bytes=int(max_upload_mb * 1024 * 1024),
                   secure_cookies=secure_cookies, cache_size=cache_size,
                   previous=Path(previous).resolve() if previous else None)
