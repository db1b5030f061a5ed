"""Sending the outbox to the organisation's LRS: batches, back-off, failures with their cause.

``deliver(organisation_id)`` sends every due pending statement, oldest first, in batches
(``POST <endpoint>/statements`` with a JSON array, ``X-Experience-API-Version: 1.0.3``):

* 200/204: the batch is sent. An LRS that already holds a statement with the same id and the
  same content keeps one and answers 200 too: a retry after a lost answer never duplicates.
* 400, 409, 413, 422 (the LRS refuses a statement: invalid, a different statement under the
  same id, too large): retrying the same bytes cannot help. A batch is split and its statements
  sent one by one, so that only the refused ones are marked failed, with the cause.
* anything else (5xx, 401/403/404 from a wrong configuration, a connection error, a timeout):
  the batch stays pending and is tried again later, after 30 s, 1 min, 2 min… (at most 6 h),
  and marked failed after ``MAX_ATTEMPTS`` attempts. Sending stops for this round.

Nothing here is called from an enrolment or a roll call: the business write never waits for
the LRS (receivers only write the outbox; the task sends).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import requests
from django.db.models import F
from django.utils import timezone

from parcours.integrations.models import LrsConfig, XapiStatement
from parcours.integrations.xapi.profile import XAPI_VERSION
from parcours.lib.sealed import UnsealError, unseal

logger = logging.getLogger("parcours.integrations.xapi")

SECRET_PURPOSE = "lrs-secret"  # noqa: S105 - the sealing purpose, not a secret
BATCH_SIZE = 500
MAX_ATTEMPTS = 12
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=6)
TIMEOUT = (5.0, 60.0)  # connect, read (seconds)
REFUSED = {400, 409, 413, 422}  # the LRS refuses these bytes: retrying them cannot help
S = XapiStatement.Status


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt ``attempts + 1`` (``attempts`` ≥ 1 already failed)."""
    return min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


def excerpt(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass
class Answer:
    status: int | None  # None: no answer (connection error, timeout)
    detail: str

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def refused(self) -> bool:
        return self.status in REFUSED

    def reason(self) -> str:
        if self.status is None:
            return f"Pas de réponse du LRS : {self.detail}"
        return f"HTTP {self.status} : {self.detail}"[:500]


def client(config: LrsConfig) -> requests.Session:
    session = requests.Session()
    session.auth = (config.key, unseal(config.sealed_secret, purpose=SECRET_PURPOSE))
    session.headers.update(
        {"X-Experience-API-Version": XAPI_VERSION, "Content-Type": "application/json"}
    )
    return session


def post(session: requests.Session, url: str, payloads: Sequence[str]) -> Answer:
    body = ("[" + ",".join(payloads) + "]").encode("utf-8")
    try:
        response = session.post(url, data=body, timeout=TIMEOUT)
    except requests.RequestException as exc:
        return Answer(None, excerpt(f"{type(exc).__name__}: {exc}"))
    return Answer(response.status_code, excerpt(response.text))


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    stopped: str = ""  # why this round stopped early ("" = nothing left that is due)
    next_attempt_at: dt.datetime | None = None


Row = tuple[int, str, int]  # pk, payload, attempts


def _due(organisation_id: int, now: dt.datetime, size: int, after: int) -> list[Row]:
    return list(
        XapiStatement.objects.filter(
            organisation_id=organisation_id,
            status=S.PENDING,
            next_attempt_at__lte=now,
            pk__gt=after,
        )
        .order_by("pk")
        .values_list("pk", "payload", "attempts")[:size]
    )


def _mark_sent(rows: Sequence[Row], answer: Answer, now: dt.datetime) -> None:
    XapiStatement.objects.filter(pk__in=[r[0] for r in rows]).update(
        status=S.SENT, sent_at=now, last_status=answer.status, last_error=""
    )


def _mark_failed(rows: Sequence[Row], answer: Answer, now: dt.datetime) -> None:
    XapiStatement.objects.filter(pk__in=[r[0] for r in rows]).update(
        status=S.FAILED,
        attempts=F("attempts") + 1,
        last_status=answer.status,
        last_error=answer.reason(),
    )


def _defer(rows: Sequence[Row], answer: Answer, now: dt.datetime, report: Report) -> None:
    by_attempts: dict[int, list[int]] = {}
    for pk, _payload, attempts in rows:
        by_attempts.setdefault(attempts + 1, []).append(pk)
    for attempts, pks in by_attempts.items():
        if attempts >= MAX_ATTEMPTS:
            XapiStatement.objects.filter(pk__in=pks).update(
                status=S.FAILED,
                attempts=attempts,
                last_status=answer.status,
                last_error=(f"Abandon après {attempts} tentatives. " + answer.reason())[:500],
            )
            report.failed += len(pks)
            continue
        when = now + backoff(attempts)
        XapiStatement.objects.filter(pk__in=pks).update(
            attempts=attempts,
            next_attempt_at=when,
            last_status=answer.status,
            last_error=answer.reason(),
        )
        report.deferred += len(pks)
        if report.next_attempt_at is None or when < report.next_attempt_at:
            report.next_attempt_at = when


def _send(
    session: requests.Session, url: str, rows: Sequence[Row], now: dt.datetime, report: Report
) -> bool:
    """Send ``rows``; False when the LRS cannot take anything now (stop the round)."""
    answer = post(session, url, [r[1] for r in rows])
    if answer.ok:
        _mark_sent(rows, answer, now)
        report.sent += len(rows)
        return True
    if answer.refused:
        if len(rows) > 1:
            logger.info(
                "xAPI: batch of %d refused (%s), sent one by one", len(rows), answer.reason()
            )
            return all(_send(session, url, [row], now, report) for row in rows)
        logger.warning("xAPI: statement %s refused: %s", rows[0][0], answer.reason())
        _mark_failed(rows, answer, now)
        report.failed += 1
        return True
    logger.warning("xAPI: LRS %s unavailable: %s", url, answer.reason())
    _defer(rows, answer, now, report)
    report.stopped = answer.reason()
    return False


def deliver(
    organisation_id: int,
    *,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Send the organisation's due pending statements (see the module's docstring)."""
    report = Report()
    config = LrsConfig.objects.filter(organisation_id=organisation_id).first()
    if config is None or not config.enabled:
        report.stopped = "disabled"
        return report
    try:
        session = client(config)
    except UnsealError as exc:
        report.stopped = str(exc)
        logger.error("xAPI: LRS secret of organisation %s: %s", organisation_id, exc)
        return report
    url = config.statements_url()
    batches, after = 0, 0
    with session:
        while max_batches is None or batches < max_batches:
            moment = now or timezone.now()
            rows = _due(organisation_id, moment, batch_size, after)
            if not rows:
                break
            batches += 1
            after = rows[-1][0]
            if not _send(session, url, rows, moment, report):
                break
    return report
