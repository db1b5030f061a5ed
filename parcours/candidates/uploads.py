"""Uploaded files of applications: size-limited, type checked by content, stored privately.

A file's type is what its bytes say, not its name: a PDF starts with ``%PDF-``, a DOCX is a ZIP
with ``[Content_Types].xml`` and ``word/document.xml``, an image is what Pillow can decode (PNG
or JPEG). The extension must agree with the content. Files are stored under
``CANDIDATES_FILES_ROOT`` (``var/private/candidates`` by default), outside ``MEDIA_ROOT`` and
the static files: nothing serves them but :func:`parcours.candidates.views.download_file`,
which checks permission and records the read.
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
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES_DEFAULT = 5 * 1024 * 1024
MAX_FILES = 5

# extension -> (kind, content type)
TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "png": ("png", "image/png"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
}


def max_bytes() -> int:
    return int(getattr(settings, "CANDIDATES_MAX_FILE_BYTES", MAX_BYTES_DEFAULT))


def files_root() -> Path:
    configured = getattr(settings, "CANDIDATES_FILES_ROOT", None)
    return (
        Path(configured)
        if configured
        else Path(settings.BASE_DIR) / "var" / "private" / "candidates"
    )


def storage() -> FileSystemStorage:
    """The private storage: no ``base_url``, nothing of it is under the web root."""
    return FileSystemStorage(location=str(files_root()), base_url=None)


@dataclass(frozen=True)
class CheckedFile:
    label: str
    original_name: str
    content: bytes
    content_type: str
    extension: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _sniff(content: bytes) -> str | None:
    """The kind of file the bytes are: pdf, docx, png, jpeg, or None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        return None
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            kind = (image.format or "").lower()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return kind if kind in {"png", "jpeg"} else None


def check_file(upload: UploadedFile, *, label: str) -> CheckedFile:
    """Read and check one upload, or raise a ValidationError saying what is wrong with it."""
    name = Path(upload.name or "").name[:200] or "fichier"
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("« %(name)s » est trop lourd : %(max)s Mo au plus.")
            % {"name": name, "max": limit // (1024 * 1024)},
            code="too_large",
        )
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            _("« %(name)s » est trop lourd : %(max)s Mo au plus.")
            % {"name": name, "max": limit // (1024 * 1024)},
            code="too_large",
        )
    if not content:
        raise ValidationError(_("« %(name)s » est vide.") % {"name": name}, code="empty")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in TYPES:
        raise ValidationError(
            _("« %(name)s » : seuls les fichiers PDF, DOCX, PNG et JPEG sont acceptés.")
            % {"name": name},
            code="type",
        )
    expected, content_type = TYPES[extension]
    found = _sniff(content)
    if found != expected:
        raise ValidationError(
            _("« %(name)s » ne contient pas ce que son extension annonce (%(ext)s).")
            % {"name": name, "ext": extension.upper()},
            code="mismatch",
        )
    return CheckedFile(
        label=label[:100],
        original_name=name,
        content=content,
        content_type=content_type,
        extension=extension,
    )


def new_stored_name(extension: str) -> str:
    return f"{secrets.token_hex(16)}.{extension}"


def write(stored_name: str, content: bytes) -> None:
    storage().save(stored_name, ContentFile(content))


def delete(stored_names: list[str]) -> None:
    store = storage()
    for name in stored_names:
        try:
            store.delete(name)
        except OSError:  # already gone: nothing to clean
            continue


def open_file(stored_name: str) -> io.BufferedReader:
    return storage().open(stored_name, "rb")  # type: ignore[return-value]
