"""Uploads: a dataset folder as a zip, a published report to import, or filled score forms
(several ``.xlsx``, or a zip of them) to collect into a copy of a dataset — into the
workspace.

Nothing from an upload is trusted: a zip member with an absolute path, a ``..`` part, a
back-slash, a link, an unexpected file name or a suspicious size is refused with one
clear message; the files are unpacked into a private temporary folder inside the
workspace, checked by the same dataset loader as ``cchc check``, and only then moved into
``<workspace>/datasets/<id>`` in one rename (a replaced dataset is swapped whole). A
failed upload leaves every existing dataset as it was.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from scoring.errors import DataError, Problem, UsageError
from scoring.i18n import _
from scoring.text import slug

from .library import valid_id

TABLES = ("agencies", "dossiers", "tasks", "review", "findings", "scores", "surveys")
REQUIRED = ("agencies", "dossiers", "tasks")
DATASET_FILES = frozenset({f"{t}.{ext}" for t in TABLES for ext in ("csv", "xlsx")}
                          | {"manifest.json"})
REPORT_SUFFIXES = (".txt", ".docx", ".pdf")
IGNORED = ("__MACOSX/", ".DS_Store")
MAX_RATIO = 200
CHUNK = 1 << 16


def _bad(message: str, file: str, fix: str) -> UsageError:
    return UsageError(Problem(message, file=file, fix=fix))


def member_name(info: zipfile.ZipInfo, archive: str) -> str | None:
    """The plain file name a zip member may be unpacked as, None to skip it, or an error.

    Examples
    --------
    >>> member_name(zipfile.ZipInfo("ds/agencies.csv"), "x.zip")
    'ds/agencies.csv'
    >>> member_name(zipfile.ZipInfo("../agencies.csv"), "x.zip")
    Traceback (most recent call last):
    ...
    scoring.errors.UsageError: x.zip: the zip holds '../agencies.csv', a path that leaves \
the folder. Fix: zip the dataset folder itself, with no '..' or absolute paths
    """
    name = info.filename
    if name.startswith(IGNORED) or PurePosixPath(name).name in IGNORED:
        return None
    mode = (info.external_attr >> 16) & 0o170000
    leaves = _("zip the dataset folder itself, with no '..' or absolute paths")
    if ("\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":")
            or any(part in ("..", "") for part in PurePosixPath(name).parts)
            or "\0" in name):
        raise _bad(_("the zip holds {name!r}, a path that leaves the folder").format(
            name=name), archive, leaves)
    if mode == stat.S_IFLNK:
        raise _bad(_("the zip holds a link ({name!r})").format(name=name), archive,
                   _("zip the files themselves, not links to them"))
    if info.is_dir():
        return None
    return name


def _members(zf: zipfile.ZipFile, archive: str, limit: int) -> list[tuple[zipfile.ZipInfo, str]]:
    named = [(i, n) for i in zf.infolist() if (n := member_name(i, archive)) is not None]
    if not named:
        raise _bad(_("the zip is empty"), archive,
                   _("zip the dataset folder (agencies.csv, dossiers.csv, tasks.csv, …)"))
    tops = {PurePosixPath(n).parts[0] for _i, n in named}
    nested = len(tops) == 1 and all(len(PurePosixPath(n).parts) == 2 for _i, n in named)
    out, total = [], 0
    for info, name in named:
        parts = PurePosixPath(name).parts
        plain = parts[-1] if nested else name
        if len(parts) > (2 if nested else 1) or plain not in DATASET_FILES:
            raise _bad(_("the zip holds {name!r}, which is not a dataset file").format(
                name=name), archive, _("a dataset zip holds only {files} (.csv or .xlsx) and "
                                       "manifest.json").format(files=", ".join(TABLES)))
        total += info.file_size
        if total > limit or (info.compress_size and info.file_size / info.compress_size
                             > MAX_RATIO and info.file_size > 1 << 20):
            raise _bad(_("the zip unpacks to more than the upload limit"), archive,
                       _("upload a smaller dataset, or ask the administrator to raise "
                         "--max-upload-mb"))
        out.append((info, plain))
    have = {PurePosixPath(p).stem for _i, p in out}
    missing = [t for t in REQUIRED if t not in have]
    if missing:
        raise _bad(_("the zip has no {files}").format(files=", ".join(
            f"{t}.csv" for t in missing)), archive, _("a dataset needs agencies, dossiers "
                                                      "and tasks (see cchc import-report)"))
    return out


def form_name(filename: str, shown: str) -> str:
    """The plain name an uploaded form is kept under (``.xlsx`` only; no folders).

    Examples
    --------
    >>> form_name("phieu/so-du-lich.xlsx", "x.zip")
    'so-du-lich.xlsx'
    """
    plain = PurePosixPath(filename.replace("\\", "/")).name
    if not plain or plain.startswith(".") or "\0" in plain or \
            not plain.lower().endswith(".xlsx"):
        raise _bad(_("{name!r} is not a filled form (.xlsx)").format(name=filename), shown,
                   _("upload the .xlsx forms written by cchc forms, or a .zip of them"))
    return plain


def unpack_forms(archive: Path, shown: str, folder: Path, limit: int) -> list[str]:
    """Unpack the ``.xlsx`` members of a zip of forms into ``folder`` (flat, bounded).

    Every member is checked as a dataset zip's are (no absolute paths, ``..``, links);
    members that are not ``.xlsx`` are refused, two members of one name too.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise _bad(_("the file is not a zip archive"), shown,
                   _("upload the forms as .xlsx files or as one .zip")) from None
    names: list[str] = []
    with zf:
        total = 0
        for info in zf.infolist():
            name = member_name(info, shown)
            if name is None:
                continue
            plain = form_name(name, shown)
            if plain in names:
                raise _bad(_("the zip holds two forms named {name!r}").format(name=plain),
                           shown, _("keep one form per unit"))
            total += info.file_size
            if total > limit:
                raise _bad(_("the zip unpacks to more than the upload limit"), shown,
                           _("upload fewer forms at a time"))
            _copy_member(zf, info, folder / plain, shown, limit)
            names.append(plain)
    if not names:
        raise _bad(_("the zip holds no form (.xlsx)"), shown,
                   _("zip the folder of filled forms"))
    return names


def _copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, shown: str,
                 limit: int) -> None:
    """Copy one zip member to ``target``, never more than it declares or ``limit``."""
    written = 0
    try:
        with zf.open(info) as src, target.open("xb") as dst:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                if written > info.file_size or written > limit:
                    raise _bad(_("the zip unpacks to more than the upload limit"),
                               shown, _("upload a smaller dataset"))
                dst.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, RuntimeError,
            NotImplementedError) as err:
        raise _bad(_("the zip is damaged or encrypted ({error})").format(error=err),
                   shown, _("zip the folder again, without a password")) from None


def unpack(archive: Path, shown: str, folder: Path, limit: int) -> None:
    """Unpack the dataset zip ``archive`` into the empty ``folder`` (checked, bounded)."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise _bad(_("the file is not a zip archive"), shown,
                   _("upload the dataset folder compressed as .zip")) from None
    with zf:
        for info, plain in _members(zf, shown, limit):
            _copy_member(zf, info, folder / plain, shown, limit)


def dataset_id(name: str, filename: str) -> str:
    """The id of an uploaded dataset: the name given, else the file's name, as a slug."""
    vid = slug(name or Path(filename or "").stem)
    if not vid or not valid_id(vid):
        raise UsageError(Problem(_("{name!r} cannot name a dataset").format(
            name=name or filename), field="name",
            fix=_("use letters, digits and dashes, e.g. khanh-hoa-2023")))
    return vid


@contextmanager
def staging(workspace: Path) -> Iterator[Path]:
    """A private temporary folder inside the workspace, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=workspace / "tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def save_stream(stream: BinaryIO, target: Path, limit: int, shown: str) -> int:
    """Copy an uploaded file to ``target``, refusing more than ``limit`` bytes."""
    size = 0
    with target.open("xb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise too_large(limit, shown)
            out.write(chunk)
    return size


def too_large(limit: int, shown: str | None = None) -> UsageError:
    return UsageError(Problem(
        _("the upload is larger than the limit of {mb} MB").format(
            mb=f"{limit / 1024 / 1024:g}"), file=shown,
        fix=_("upload a smaller file, or ask the administrator to start the server with a "
              "larger --max-upload-mb")))


def install(built: Path, workspace: Path, vid: str, *, replace: bool, taken: set[str]) -> Path:
    """Move the checked dataset folder ``built`` to ``<workspace>/datasets/<vid>``.

    A dataset of that id is replaced only when ``replace`` is set (and only in the
    workspace): the old folder is renamed away, the new one renamed in, the old removed.
    """
    target = workspace / "datasets" / vid
    if vid in taken and not target.is_dir():
        raise UsageError(Problem(_("{id!r} is the name of a dataset that cannot be replaced")
                                 .format(id=vid), field="name", fix=_("choose another name")))
    if target.exists() and not replace:
        raise UsageError(Problem(_("a dataset named {id!r} already exists").format(id=vid),
                                 field="name", fix=_("choose another name, or tick "
                                                     "“replace”")))
    old = None
    if target.exists():
        old = target.with_name(f".old-{vid}-{os.getpid()}-{id(built)}")
        os.rename(target, old)
    try:
        os.rename(built, target)
    except OSError:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def check_built(folder: Path, shown: str) -> list[Problem]:
    """Validate an unpacked dataset; raise its errors (named by the uploaded file)."""
    from scoring.dataset import validate_dataset

    ds, problems = validate_dataset(folder)
    named = [p.replace(file=f"{shown}/{Path(str(p.file)).name}" if p.file else shown)
             for p in problems]
    if ds is None:
        raise DataError([p for p in named if p.severity == "error"])
    return [p for p in named if p.severity != "error"]


def import_uploaded_report(report: Path, out: Path, shown: str) -> None:
    """Import a published report (text, Word or PDF) into the new folder ``out``."""
    from scoring.importer import import_report

    if report.suffix.lower() not in REPORT_SUFFIXES:
        raise _bad(_("a report must be a .txt, .docx or .pdf file"), shown,
                   _("upload the published report"))
    import_report(report, out)
