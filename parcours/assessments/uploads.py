"""Uploaded project files: size-limited, type checked by content, stored privately.

Accepted: PDF, images (PNG, JPEG, WebP, GIF), office documents (DOCX, XLSX, PPTX, ODT, ODS,
ODP) and ZIP archives. A file's type is what its bytes say; the extension must agree. The
limit is ``ASSESSMENTS_MAX_FILE_BYTES`` (20 MB by default). Files live under
``ASSESSMENTS_FILES_ROOT`` (``var/private/assessments`` by default), outside ``MEDIA_ROOT``:
nothing serves them but ``assessments.views.download``, which checks permission first.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES_DEFAULT = 20 * 1024 * 1024

# extension -> (kind found by sniffing, content type)
TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "png": ("png", "image/png"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "webp": ("webp", "image/webp"),
    "gif": ("gif", "image/gif"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "odt": ("odt", "application/vnd.oasis.opendocument.text"),
    "ods": ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": ("odp", "application/vnd.oasis.opendocument.presentation"),
    "zip": ("zip", "application/zip"),
}
_OOXML = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
_ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}


def max_bytes() -> int:
    return int(getattr(settings, "ASSESSMENTS_MAX_FILE_BYTES", MAX_BYTES_DEFAULT))


def files_root() -> Path:
    configured = getattr(settings, "ASSESSMENTS_FILES_ROOT", None)
    return (
        Path(configured)
        if configured
        else Path(settings.BASE_DIR) / "var" / "private" / "assessments"
    )


def storage() -> FileSystemStorage:
    """The private storage: no ``base_url``, nothing of it is under the web root."""
    return FileSystemStorage(location=str(files_root()), base_url=None)


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    content: bytes
    content_type: str
    extension: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _sniff_zip(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                kind = _ODF.get(archive.read("mimetype").strip())
                if kind:
                    return kind
    except (zipfile.BadZipFile, ValueError, OSError, KeyError, RuntimeError):
        return None
    if "[Content_Types].xml" in names:
        for prefix, kind in _OOXML.items():
            if any(name.startswith(prefix) for name in names):
                return kind
    return "zip"


def sniff(content: bytes) -> str | None:
    """The kind of file the bytes are (a key of the kinds in ``TYPES``), or None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04") or content.startswith(b"PK\x05\x06"):
        return _sniff_zip(content)
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            kind = (image.format or "").lower()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return kind if kind in {"png", "jpeg", "webp", "gif"} else None


def _too_large(name: str, limit: int) -> ValidationError:
    return ValidationError(
        _("« %(name)s » est trop lourd : %(max)s Mo au plus.")
        % {"name": name, "max": limit // (1024 * 1024)},
        code="too_large",
    )


def check_file(upload: UploadedFile) -> CheckedFile:
    """Read and check one upload, or raise a ValidationError saying what is wrong with it."""
    name = Path(upload.name or "").name[:200] or "fichier"
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise _too_large(name, limit)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise _too_large(name, limit)
    if not content:
        raise ValidationError(_("« %(name)s » est vide.") % {"name": name}, code="empty")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in TYPES:
        raise ValidationError(
            _(
                "« %(name)s » : seuls les PDF, les images (PNG, JPEG, WebP, GIF), les documents "
                "bureautiques (DOCX, XLSX, PPTX, ODT, ODS, ODP) et les archives ZIP sont acceptés."
            )
            % {"name": name},
            code="type",
        )
    expected, content_type = TYPES[extension]
    if sniff(content) != expected:
        raise ValidationError(
            _("« %(name)s » ne contient pas ce que son extension annonce (%(ext)s).")
            % {"name": name, "ext": extension.upper()},
            code="mismatch",
        )
    return CheckedFile(
        original_name=name, content=content, content_type=content_type, extension=extension
    )


def new_stored_name(extension: str) -> str:
    return f"{secrets.token_hex(16)}.{extension}"


def write(stored_name: str, content: bytes) -> None:
    storage().save(stored_name, ContentFile(content))


def read(stored_name: str) -> bytes:
    with storage().open(stored_name, "rb") as handle:
        return bytes(handle.read())


def delete(stored_names: list[str]) -> None:
    store = storage()
    for name in stored_names:
        if name and store.exists(name):
            store.delete(name)


def open_file(stored_name: str) -> File:
    """An open binary handle on a stored file (FileNotFoundError when missing)."""
    return storage().open(stored_name, "rb")
