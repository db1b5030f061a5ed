"""Fixtures for candidates tests: a call (with the default stages, a few typed questions and an
interview grid) opened by the real action; files stored in a temporary directory."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.candidates import actions
from parcours.candidates.models import Application, Call
from parcours.enrolment.tests.conftest import make_session, module, site  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _private_files(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "private"
    settings.CANDIDATES_FILES_ROOT = str(root)
    return root


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def call_data(slug: str = "tic-2027", **extra: Any) -> actions.CallData:
    now = timezone.now()
    return actions.CallData(
        title=extra.pop("title", "Développeur·euse web — session 2027"),
        slug=slug,
        opens_at=extra.pop("opens_at", now - dt.timedelta(days=1)),
        closes_at=extra.pop("closes_at", now + dt.timedelta(days=30)),
        places=extra.pop("places", 16),
        audiences=["jobseekers"],
        questions=extra.pop(
            "questions",
            [
                actions.QuestionData("Pourquoi cette formation ?", "text", required=True),
                actions.QuestionData("Niveau d'études", "choice", ["CESS", "Bachelier", "Autre"]),
                actions.QuestionData("Disponible à temps plein ?", "yes_no", required=True),
                actions.QuestionData("Date de disponibilité", "date"),
                actions.QuestionData("Années d'expérience", "number"),
            ],
        ),
        criteria=extra.pop("criteria", [("Motivation", 3), ("Logique", 2)]),
        **extra,
    )


@pytest.fixture
def call(org: Organisation, coordinator: User) -> Call:
    return actions.open_call(actor=Actor.of(coordinator), organisation=org, data=call_data())


@pytest.fixture
def apply_to(call: Call) -> Callable[..., Application]:
    counter = iter(range(1, 100_000))

    def make(target: Call | None = None, **extra: Any) -> Application:
        target = target or call
        n = next(counter)
        answers = {}
        for question in target.questions.all():
            if question.kind == "text":
                answers[question.pk] = "Je veux changer de métier."
            elif question.kind == "yes_no":
                answers[question.pk] = "oui"
        data = actions.ApplicationData(
            email=extra.pop("email", f"candidat{n}@exemple.test"),
            first_name=extra.pop("first_name", f"Prénom{n}"),
            last_name=extra.pop("last_name", f"Nom{n}"),
            consent=True,
            answers=extra.pop("answers", answers),
            **{"audience": "jobseekers", **extra.pop("data", {})},
        )
        return actions.apply(call=target, data=data, files=extra.pop("files", None), **extra)

    return make
