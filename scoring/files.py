"""Writing output files safely: one output-path guard, one atomic writer, one temp place.

Every command that writes a file goes through this module:

* :func:`check_output` refuses a target that would damage an input or another file: a
  name with the wrong extension, a folder that does not exist or cannot be written, an
  existing folder in place of the file, a file inside an input (the rule file or folder,
  the dataset folder, a source file), and an existing file unless ``force`` is given.
* :func:`atomic_output` gives the caller a temporary path in a private folder beside the
  target; when the caller is done the file is flushed to disk (fsync) and renamed over
  the target in one step. A failure (exception, full disk, file locked by another
  program) leaves the target as it was and removes the temporary folder; the error
  becomes one :class:`~scoring.errors.UsageError` (never a traceback).
* :func:`scratch_folder` is that private folder (``.cchc-tmp-<host>-<pid>-<random>``):
  the only place temporary files go. It is removed at the end, whatever happens; one left
  behind by a killed run (its process gone, or older than a day) is removed by the next
  run that writes into the same folder.
* :func:`replace_folder` replaces a whole folder's generated files all-or-nothing: it
  writes a sibling folder, then swaps it in, keeping the old folder until the swap has
  succeeded.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> target = check_output(folder / "out.txt", suffix=".txt")
>>> with atomic_output(target) as tmp:
...     _ = tmp.write_text("hello", encoding="utf-8")
>>> target.read_text(encoding="utf-8")
'hello'
>>> sorted(p.name for p in folder.iterdir())
['out.txt']
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import socket
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from scoring.errors import Problem, UsageError
from scoring.i18n import _

TEMP_PREFIX = ".cchc-tmp-"
# folders left by versions before this module (xlsxwriter row files, temporary workbooks)
_LEGACY_PREFIXES = (".cchc-rows-",)
STALE_AFTER_S = 24 * 3600


# --------------------------------------------------------------------------- guard
def writable(folder: Path) -> bool:
    """Whether the current user may create files in ``folder``."""
    return os.access(folder, os.W_OK | os.X_OK)


def check_output(path: str | Path, *, inputs: Iterable[str | Path] = (),
                 suffix: str | None = ".xlsx", force: bool = False,
                 option: str = "-o") -> Path:
    """Check that ``path`` may be written; return it as an absolute path.

    Parameters
    ----------
    path : str or Path
        The file to write.
    inputs : iterable of path
        Files and folders the command reads (rule file or folder, dataset folder,
        source report). The output may not be one of them nor lie inside one.
    suffix : str or None
        Required extension (case-insensitive), e.g. ``".xlsx"``; None for any.
    force : bool
        Replace an existing file (otherwise an existing file is refused).
    option : str
        The command-line option that named the file, for the message.

    Raises
    ------
    UsageError
        One message saying what is wrong with the target and how to fix it.

    Examples
    --------
    >>> check_output("/no/such/folder/x.xlsx")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    scoring.errors.UsageError: -o: the folder /no/such/folder does not exist. Fix: ...
    """
    given = Path(path)
    target = Path(os.path.abspath(given))

    def fail(message: str, fix: str) -> UsageError:
        return UsageError(Problem(message, field=option, fix=fix))

    if suffix is not None and target.suffix.lower() != suffix.lower():
        raise fail(_("the file name {path} does not end in {suffix}").format(
            path=given, suffix=suffix),
            _("give a file name ending in {suffix}").format(suffix=suffix))
    if target.is_dir():
        raise fail(_("{path} is a folder").format(path=given),
                   _("give a file name, e.g. {example}").format(
                       example=given / f"cchc{suffix or ''}"))
    folder = target.parent
    if not folder.is_dir():
        raise fail(_("the folder {folder} does not exist").format(folder=folder),
                   _("create it first (mkdir -p {folder}) or choose another folder").format(
                       folder=folder))
    if not writable(folder):
        raise fail(_("the folder {folder} is read-only for you").format(folder=folder),
                   _("choose a folder you can write to"))
    real = target.resolve()
    for item in inputs:
        src = Path(item).resolve()
        if real == src or (src.is_dir() and src in real.parents):
            what = (_("{path} is an input ({input})") if real == src
                    else _("{path} is inside an input folder ({input})"))
            raise fail(what.format(path=given, input=item) + _(
                "; writing there would change the rules or the data"),
                _("write the output outside the rule and dataset folders"))
    if target.exists() and not force:
        raise fail(_("{path} already exists").format(path=given),
                   _("add --force to replace it, or give another name with {option}").format(
                       option=option))
    return target


def check_output_folder(path: str | Path, *, inputs: Iterable[str | Path] = (),
                        option: str = "--out") -> Path:
    """Check that the folder ``path`` may be created or have its files replaced.

    Parameters
    ----------
    path : str or Path
        The output folder (need not exist; its parent must be writable).
    inputs : iterable of path
        Files the command reads; the folder may not be one of them.
    option : str
        The command-line option that named the folder.

    Raises
    ------
    UsageError
        The folder is a file, cannot be created, or cannot be written.
    """
    given = Path(path)
    target = Path(os.path.abspath(given))

    def fail(message: str, fix: str) -> UsageError:
        return UsageError(Problem(message, field=option, fix=fix))

    real = target.resolve()
    for item in inputs:
        if Path(item).resolve() == real:
            raise fail(_("{path} is an input ({input})").format(path=given, input=item),
                       _("give a dataset folder, not the source file"))
    if target.exists() and not target.is_dir():
        raise fail(_("{path} is a file, not a folder").format(path=given),
                   _("give a folder name (it is created if missing)"))
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    for folder in (parent, target) if target.exists() else (parent,):
        if not writable(folder):
            raise fail(_("the folder {folder} is read-only for you").format(folder=folder),
                       _("choose a folder you can write to"))
    return target


# --------------------------------------------------------------------------- temp place
def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _host() -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in socket.gethostname())[:40] or "host"


def _is_stale(entry: Path, host: str, now: float) -> bool:
    try:
        age = now - entry.lstat().st_mtime
    except OSError:
        return False
    if age > STALE_AFTER_S:
        return True
    name = entry.name
    if not name.startswith(TEMP_PREFIX):
        return False  # a legacy folder: only by age
    parts = name[len(TEMP_PREFIX):].rsplit("-", 2)
    if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
        return False  # another machine's (shared folder): only by age
    pid = int(parts[1])
    return pid != os.getpid() and not _pid_alive(pid)


def clean_stale(folder: str | Path) -> list[Path]:
    """Remove temporary folders left in ``folder`` by runs that were killed.

    A folder is stale when the process that made it (same machine) no longer runs, or
    when it is older than a day. Returns what was removed.
    """
    folder = Path(folder)
    removed = []
    host, now = _host(), time.time()
    try:
        entries = [e for e in folder.iterdir()
                   if e.name.startswith((TEMP_PREFIX, *_LEGACY_PREFIXES))]
    except OSError:
        return removed
    for entry in entries:
        if _is_stale(entry, host, now):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with suppress(OSError):
                    entry.unlink()
            removed.append(entry)
    return removed


@contextmanager
def scratch_folder(near: str | Path) -> Iterator[Path]:
    """A private temporary folder inside the folder ``near``, removed on exit.

    Stale folders of killed runs in ``near`` are removed first (see :func:`clean_stale`).
    Large temporary files (spreadsheet row files) go here, on the same disk as the
    output, so that the final rename is atomic.
    """
    near = Path(near)
    clean_stale(near)
    name = f"{TEMP_PREFIX}{_host()}-{os.getpid()}-{secrets.token_hex(4)}"
    folder = near / name
    folder.mkdir(mode=0o700)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- atomic writes
def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as err:  # some file systems (and directories on some OSes) refuse
        if err.errno not in (errno.EINVAL, errno.EBADF, errno.EACCES):
            raise
    finally:
        os.close(fd)


def default_mode(path: Path, full: int = 0o666) -> None:
    """Give ``path`` the permissions the umask leaves a new file (``full=0o666``) or
    folder (``0o777``), not the private ones of the scratch folder."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, full & ~mask)


def write_error(target: Path, err: OSError) -> UsageError:
    """The one message for a file or folder that could not be written."""
    reason = err.strerror or str(err)
    if err.errno == errno.ENOSPC:
        fix = _("free some disk space or write to another disk")
    else:
        fix = _("check that the folder is writable and the file is not open in another "
                "program (close it in Excel), then run again")
    return UsageError(Problem(_("cannot write {path}: {reason}").format(path=target,
                                                                        reason=reason),
                              file=str(target), fix=fix), exit_code=1)


@contextmanager
def atomic_output(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path; on success move it onto ``target`` atomically.

    The temporary file lies in a :func:`scratch_folder` beside the target (its folder
    may also hold the writer's own temporary files). On success the file is fsynced,
    given the usual permissions and renamed onto ``target``; on any failure the target
    is untouched and the scratch folder removed. An :class:`OSError` (disk full, locked
    file, read-only folder) becomes one :class:`~scoring.errors.UsageError`.

    Examples
    --------
    >>> import tempfile
    >>> t = Path(tempfile.mkdtemp()) / "a.csv"
    >>> with atomic_output(t) as tmp:
    ...     _ = tmp.write_bytes(b"x")
    >>> t.read_bytes()
    b'x'
    """
    target = Path(os.path.abspath(target))
    try:
        with scratch_folder(target.parent) as folder:
            tmp = folder / target.name
            yield tmp
            _fsync(tmp)
            default_mode(tmp)
            os.replace(tmp, target)
            with suppress(OSError):
                _fsync(target.parent)
    except OSError as err:
        raise write_error(target, err) from None


def write_bytes(target: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically (see :func:`atomic_output`)."""
    target = Path(os.path.abspath(target))
    with atomic_output(target) as tmp:
        tmp.write_bytes(data)
    return target


def replace_folder(out: str | Path, files: Mapping[str, bytes]) -> Path:
    """Give folder ``out`` exactly the new ``files``, keeping its other files, all-or-nothing.

    A sibling folder is filled first: the other files of ``out`` (e.g. ``review.csv``)
    are copied into it, then ``files`` are written and fsynced. Then ``out`` is renamed
    aside, the sibling renamed into its place, and only then is the old folder removed.
    If anything fails before the swap, ``out`` is untouched; if the swap itself fails,
    the old folder is put back.

    Parameters
    ----------
    out : str or Path
        The folder (created if missing).
    files : mapping of str to bytes
        File name (no sub-folders) → content.

    Raises
    ------
    UsageError
        The folder could not be written; ``out`` is as it was.
    """
    out = Path(os.path.abspath(out))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise write_error(out, err) from None
    try:
        with scratch_folder(out.parent) as scratch:
            new = scratch / "new"
            new.mkdir()
            if out.is_dir():
                for entry in out.iterdir():
                    if entry.name not in files:
                        copy = shutil.copytree if entry.is_dir() else shutil.copy2
                        copy(entry, new / entry.name)
            for name, data in files.items():
                path = new / name
                with open(path, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
            if out.is_dir():
                os.chmod(new, out.stat().st_mode & 0o7777)
                # the old folder waits beside ``out`` (not in the scratch folder, which a
                # later run may clean) until the new one is in place
                old = out.parent / f".{out.name}.cchc-old-{os.getpid()}"
                os.replace(out, old)
                try:
                    os.replace(new, out)
                except OSError:
                    os.replace(old, out)
                    raise
                shutil.rmtree(old, ignore_errors=True)
            else:
                default_mode(new, 0o777)
                os.replace(new, out)
            with suppress(OSError):
                _fsync(out.parent)
    except OSError as err:
        raise write_error(out, err) from None
    return out
