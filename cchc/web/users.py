"""The users file of ``cchc serve --users FILE``: who may sign in, with hashed passwords.

One user per line, ``name:hash``; blank lines and lines starting with ``#`` are ignored::

    # cchc users (written by: cchc serve --users users.txt --add-user NAME)
    lan.nguyen:scrypt$5f0c…(32 hex digits of salt)$9a1e…(128 hex digits of hash)

The hash is ``scrypt$<salt>$<digest>``: :func:`hashlib.scrypt` (n=2¹⁴, r=8, p=1, 64 bytes)
of the password in UTF-8 with a random 16-byte salt, both in hex — the same hash as the
shared password's. No password is ever written in clear; entries are made by ``cchc serve
--add-user NAME`` (asks for the password twice), never by hand. Names are matched without
regard to case; they may not contain spaces, ``:`` or ``#``. The file is read again at
each sign-in, so users added or removed take effect without a restart (a session already
open lasts until it expires).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import tempfile
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from scoring.errors import Problem, UsageError
from scoring.i18n import _

NAME_PATTERN = re.compile(r"[^\s:#]{1,64}")
MIN_PASSWORD = 8
HEADER = "# cchc users: name:scrypt$salt$hash (cchc serve --users FILE --add-user NAME)\n"


_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$<salt hex>$<hash hex>`` of ``password`` (a fresh salt unless given).

    Examples
    --------
    >>> h = hash_password("mật khẩu")
    >>> check_password("mật khẩu", h), check_password("sai", h)
    (True, False)
    """
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash (constant-time comparison)."""
    try:
        kind, salt_hex, digest_hex = stored.split("$")
        salt, digest = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    got = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)
    return hmac.compare_digest(got, digest)


@cache
def _dummy() -> str:
    """A hash no password matches, so that an unknown name costs one scrypt too."""
    return hash_password("not a password of anyone", salt=b"\0" * 16)


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def check_name(name: str) -> str:
    """``name`` (NFC) if it can name a user, else UsageError.

    Examples
    --------
    >>> check_name("lan.nguyen")
    'lan.nguyen'
    """
    name = unicodedata.normalize("NFC", name.strip())
    if not NAME_PATTERN.fullmatch(name):
        raise UsageError(Problem(_("{name!r} cannot be a user name").format(name=name),
                                 field="--add-user",
                                 fix=_("use up to 64 letters, digits, '.', '_', '-' or '@'; "
                                       "no spaces, ':' or '#'")))
    return name


def read_users(path: Path) -> dict[str, tuple[str, str]]:
    """The users of ``path``: folded name → (name as written, hash).

    Raises
    ------
    UsageError
        The file cannot be read, or a line is not ``name:scrypt$salt$hash`` (its line
        number and how to fix it).
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as err:
        raise UsageError(Problem(_("cannot read the users file: {error}").format(
            error=err.strerror or err), file=str(path), field="--users",
            fix=_("create it with: cchc serve --users FILE --add-user NAME"))) from None
    users: dict[str, tuple[str, str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        raw = line.strip()
        if not raw or raw.startswith("#"):
            continue
        name, sep, stored = raw.partition(":")
        parts = stored.split("$")
        well_formed = (sep and NAME_PATTERN.fullmatch(name) and len(parts) == 3
                       and parts[0] == "scrypt" and all(_is_hex(p) for p in parts[1:]))
        if not well_formed:
            raise UsageError(Problem(
                _("this line is not 'name:scrypt$salt$hash'"), file=str(path), line=number,
                field="--users", fix=_("remove the line and add the user again with "
                                       "cchc serve --users FILE --add-user NAME")))
        if _key(name) in users:
            raise UsageError(Problem(_("the user {name!r} is listed twice").format(name=name),
                                     file=str(path), line=number, field="--users",
                                     fix=_("keep one line per user")))
        users[_key(name)] = (unicodedata.normalize("NFC", name), stored)
    return users


def _is_hex(text: str) -> bool:
    return bool(text) and all(c in "0123456789abcdef" for c in text)


def authenticate(path: Path, name: str, password: str) -> str | None:
    """The user's name as written in ``path`` if ``password`` is theirs, else None.

    An unknown name costs the same time as a wrong password (one scrypt either way).
    """
    entry = read_users(path).get(_key(name.strip()))
    ok = check_password(password, entry[1] if entry else _dummy())
    return entry[0] if entry and ok else None


def _write(path: Path, users: Mapping[str, tuple[str, str]]) -> None:
    """Replace ``path`` in one step (a reader sees the old file or the new one), 0600."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent.resolve())
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(HEADER)
            for name, stored in users.values():
                fh.write(f"{name}:{stored}\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def set_user(path: Path, name: str, password: str) -> bool:
    """Add user ``name`` to ``path`` (created if missing), or give them a new password.

    Returns True when the user is new. Raises UsageError for a bad name or a password
    shorter than :data:`MIN_PASSWORD` characters.
    """
    name = check_name(name)
    if len(password) < MIN_PASSWORD:
        raise UsageError(Problem(_("the password is too short"), field="password",
                                 fix=_("use at least {n} characters").format(n=MIN_PASSWORD)))
    users = read_users(path) if Path(path).exists() else {}
    new = _key(name) not in users
    users[_key(name)] = (name, hash_password(password))
    _write(path, users)
    return new


def remove_user(path: Path, name: str) -> None:
    """Remove user ``name`` from ``path`` (UsageError when not listed)."""
    users = read_users(path)
    if users.pop(_key(name.strip()), None) is None:
        raise UsageError(Problem(_("there is no user {name!r} in the file").format(name=name),
                                 file=str(path), field="--remove-user",
                                 fix=_("the users in the file are: {names}").format(
                                     names=", ".join(n for n, _h in users.values()) or "—")))
    _write(path, users)


def sign_in(users_file: Path | None, shared_hash: str | None, name: str,
            password: str) -> str | None:
    """Who signs in with ``name`` and ``password``, or None.

    A user of the users file with their own password signs in under their name as
    written there; the shared password (when set) signs anyone in under the name they
    typed. With neither configured there is nothing to check.
    """
    typed = unicodedata.normalize("NFC", name.strip())[:64]
    if users_file is not None:
        who = authenticate(users_file, typed, password)
        if who is not None:
            return who
    if shared_hash is not None and check_password(password, shared_hash):
        return typed or "cchc"
    if users_file is None and shared_hash is None:
        return typed or "cchc"
    return None
