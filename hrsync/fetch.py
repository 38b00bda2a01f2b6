"""Where the HR system's files come from: a folder (HR_SYNC_DIR) or an HTTPS address (HR_SYNC_URL).

The address returns a zip archive holding the same CSV files as the folder (departments.csv,
employees.csv, dependencies.csv, parameters.csv; any of them, in any sub-folder of the archive).
Nothing is ever extracted to disk: members are read into memory, each no larger than the upload
page accepts.
"""

from __future__ import annotations

import io
import ipaddress
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.utils.translation import gettext as _

from departments.org_import import CsvFile

KINDS = ("departments", "employees", "dependencies", "parameters")
FILE_NAMES = {kind: f"{kind}.csv" for kind in KINDS}
LOOPBACK_NAMES = {"localhost"}


class FetchFailed(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def is_configured() -> bool:
    return bool(settings.HR_SYNC_DIR or settings.HR_SYNC_URL)


def source_description() -> str:
    """What the sync reads, for the pages and the runs: never the authorisation header, nor a
    password or a query string (which may hold a token) in the address."""
    if settings.HR_SYNC_URL:
        parts = urlsplit(settings.HR_SYNC_URL)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return settings.HR_SYNC_DIR


def _limit() -> int:
    return settings.ORG_IMPORT_MAX_UPLOAD_MB * 1024 * 1024


def fetch_files() -> dict[str, CsvFile]:
    """The files the HR system provides now, by kind. Raises FetchFailed with every reason."""
    if settings.HR_SYNC_DIR and settings.HR_SYNC_URL:
        raise FetchFailed([_("HR_SYNC_DIR and HR_SYNC_URL are both set: set only one of them.")])
    if settings.HR_SYNC_DIR:
        return files_from_folder(Path(settings.HR_SYNC_DIR))
    if settings.HR_SYNC_URL:
        return files_from_url(settings.HR_SYNC_URL)
    raise FetchFailed([_("The HR sync is not configured: set HR_SYNC_DIR or HR_SYNC_URL.")])


def _none_found() -> FetchFailed:
    return FetchFailed(
        [_("No file to import: expected one or more of %(names)s.") % {"names": ", ".join(FILE_NAMES.values())}]
    )


def _too_large(name: str) -> str:
    return _("%(name)s: the file is larger than %(mb)s MB.") % {"name": name, "mb": settings.ORG_IMPORT_MAX_UPLOAD_MB}


def files_from_folder(folder: Path) -> dict[str, CsvFile]:
    if not folder.is_dir():
        raise FetchFailed([_("HR_SYNC_DIR: the folder %(folder)s does not exist.") % {"folder": folder}])
    files, errors = {}, []
    for kind, name in FILE_NAMES.items():
        path = folder / name
        if not path.is_file():
            continue
        if path.stat().st_size > _limit():
            errors.append(_too_large(name))
            continue
        files[kind] = CsvFile(name, path.read_bytes())
    if errors:
        raise FetchFailed(errors)
    if not files:
        raise _none_found()
    return files


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> None:
    """Only HTTPS; plain HTTP only to this machine and only when HR_SYNC_ALLOW_LOOPBACK_HTTP says so."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and settings.HR_SYNC_ALLOW_LOOPBACK_HTTP and _is_loopback(parts.hostname or ""):
        return
    raise FetchFailed([_("HR_SYNC_URL must be an https:// address.")])


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead to plain HTTP or elsewhere: the configured address is the only one read."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _headers() -> dict[str, str]:
    header = settings.HR_SYNC_AUTH_HEADER
    if not header:
        return {}
    name, _colon, value = header.partition(":")
    return {name.strip(): value.strip()}


def files_from_url(url: str) -> dict[str, CsvFile]:
    check_url(url)
    archive_limit = _limit() * len(KINDS)
    # check_url allowed https:// (or loopback http:// in tests) only, and redirects are refused.
    request = urllib.request.Request(url, headers={"Accept": "application/zip", **_headers()})  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=settings.HR_SYNC_TIMEOUT_SECONDS) as response:
            body = response.read(archive_limit + 1)
    except urllib.error.HTTPError as error:
        raise FetchFailed([_("HR_SYNC_URL: the server answered %(status)s.") % {"status": error.code}]) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FetchFailed([_("HR_SYNC_URL: could not read the address (%(reason)s).") % {"reason": reason}]) from None
    if len(body) > archive_limit:
        raise FetchFailed([_too_large("HR_SYNC_URL")])
    return files_from_zip(body)


def files_from_zip(body: bytes) -> dict[str, CsvFile]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile:
        raise FetchFailed([_("HR_SYNC_URL: the answer is not a zip archive of CSV files.")]) from None
    by_name = {name: kind for kind, name in FILE_NAMES.items()}
    files, errors = {}, []
    with archive:
        for info in archive.infolist():
            name = PurePosixPath(info.filename).name
            kind = by_name.get(name)
            if kind is None or info.is_dir():
                continue
            if kind in files:
                errors.append(_("%(name)s: the archive holds this file twice.") % {"name": name})
                continue
            # The size in the archive's directory could lie: read at most one byte past the limit.
            try:
                with archive.open(info) as member:
                    content = member.read(_limit() + 1)
            except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError):
                errors.append(_("%(name)s: could not be read from the archive.") % {"name": name})
                continue
            if len(content) > _limit():
                errors.append(_too_large(name))
                continue
            files[kind] = CsvFile(name, content)
    if errors:
        raise FetchFailed(errors)
    if not files:
        raise _none_found()
    return files
