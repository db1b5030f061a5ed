"""Fixtures for assessments: a unit passed by a project, its session, its trainer, a learner
enrolled in it; built with the real actions."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.assessments import actions
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Session
from parcours.enrolment.slots import full_days


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path: Path) -> None:
    settings.ASSESSMENTS_FILES_ROOT = str(tmp_path / "projets")


def make_unit(org: Organisation, code: str = "UE2", mode: str = "assessment") -> Module:
    return Module.objects.create(
        organisation=org,
        code=code,
        title_fr=f"{code} — Évaluation numérique",
        summary_fr="Évaluer avec le numérique.",
        duration_hours=Decimal(30),
        status=Module.Status.PUBLISHED,
        completion_mode=mode,
    )


@pytest.fixture
def unit(org: Organisation, coordinator: User) -> Module:
    module = make_unit(org)
    actions.set_criteria(
        actor=Actor.of(coordinator),
        module=module,
        texts=["Le scénario est décrit", "L'évaluation est alignée sur les objectifs"],
    )
    return module


def make_session(coordinator: User, org: Organisation, module: Module, trainer: User) -> Session:
    site = account_actions.create_site(
        organisation=org, name=f"Site {module.code}", city="Gosselies", actor=None
    )
    day = timezone.localdate() + dt.timedelta(days=7)
    session = enrolment_actions.create_session(
        actor=Actor.of(coordinator),
        organisation=org,
        data=enrolment_actions.SessionData(
            module_id=module.pk,
            code=f"S-{module.code}",
            capacity=20,
            slots=full_days(day),
            site_id=site.pk,
            trainer_ids=[trainer.pk],
        ),
    )
    return enrolment_actions.set_session_status(
        actor=Actor.of(coordinator), session=session, status=Session.Status.PUBLISHED
    )


@pytest.fixture
def session(coordinator: User, org: Organisation, unit: Module, trainer: User) -> Session:
    return make_session(coordinator, org, unit, trainer)


@pytest.fixture
def enrolled(session: Session, learner: User) -> User:
    enrolment_actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
    return learner


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "projet.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()
