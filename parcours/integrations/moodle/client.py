"""Moodle's REST web services: one call, its errors, and the parsing of the answers we read.

Every call is a form-encoded POST to ``<base>/webservice/rest/server.php`` with ``wstoken``,
``wsfunction`` and ``moodlewsrestformat=json``. Moodle answers an error with HTTP 200 and an
envelope ``{"exception": ..., "errorcode": ..., "message": ...}``; it is turned into a
:class:`MoodleError` with a code, as are a site that cannot be reached, a timeout, an HTTP error
and an answer that is not the JSON we expect. Transient failures (connection, timeout, HTTP 5xx)
are retried with back-off (``MOODLE_RETRY_DELAYS`` seconds between attempts).

The parsers (``parse_*``) are pure: any input either gives typed values or raises
:class:`MoodleError` with code ``malformed`` (and logs it) — never another exception.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from parcours.lib.dates import platform_zone

logger = logging.getLogger("parcours.integrations.moodle")

ENDPOINT = "/webservice/rest/server.php"
CONNECT_TIMEOUT = 5.0  # seconds
READ_TIMEOUT = 30.0  # seconds
DEFAULT_RETRY_DELAYS = (1.0, 4.0)  # seconds before the 2nd and 3rd attempts
# Unix times Moodle may give: after 1970, before 2100 (anything else is not a real date).
_MAX_TIMESTAMP = 4_102_444_800

# Errors after which no other call to the same site can succeed in this run.
SITE_WIDE = frozenset({"invalidtoken", "notoken", "unseal", "unreachable", "timeout", "http"})


@dataclass
class MoodleError(Exception):
    """A failed call: ``code`` is Moodle's ``errorcode`` or one of ours (``unreachable``,
    ``timeout``, ``http``, ``malformed``, ``notoken``); ``detail`` is the technical cause."""

    code: str
    detail: str = ""
    function: str = ""

    def __post_init__(self) -> None:
        super().__init__(self.code, self.detail)

    @property
    def site_wide(self) -> bool:
        return self.code in SITE_WIDE

    @property
    def retryable(self) -> bool:
        if self.code == "http":  # a server error or "too many requests"; not a 3xx/4xx
            return self.detail in {"408", "429"} or self.detail.startswith("5")
        return self.code in {"unreachable", "timeout"}

    @property
    def message(self) -> str:
        return describe(self.code, self.detail, self.function)

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


def describe(code: str, detail: str = "", function: str = "") -> str:
    """The message a person reads for an error code (in the active language)."""
    if code == "invalidtoken":
        return _(
            "Moodle refuse le jeton du service web (jeton inconnu, expiré ou d'un autre site) : "
            "créez un nouveau jeton dans Moodle et enregistrez-le ici."
        )
    if code == "accessexception":
        return _(
            "Moodle refuse l'accès : le service web n'autorise pas la fonction « %(function)s » "
            "ou son utilisateur n'a pas la capacité requise."
        ) % {"function": function or "?"}
    if code == "invalidparameter":
        return _("Moodle refuse un paramètre de « %(function)s » : %(detail)s") % {
            "function": function or "?",
            "detail": detail,
        }
    if code == "nocriteriaset":
        return _(
            "Le cours n'a pas de critères d'achèvement dans Moodle : activez l'achèvement du "
            "cours dans ses réglages."
        )
    if code == "notoken":
        return _("Aucun jeton de service web n'est enregistré pour ce site.")
    if code == "timeout":
        return _("Moodle n'a pas répondu à temps, même après de nouveaux essais.")
    if code == "unreachable":
        return _("Le site Moodle est injoignable (%(detail)s).") % {"detail": detail}
    if code == "http":
        return _("Le site Moodle a répondu par une erreur HTTP (%(detail)s).") % {"detail": detail}
    if code == "unseal":
        return _(
            "Le jeton enregistré ne peut plus être déchiffré (la clé du serveur a changé) : "
            "enregistrez-le à nouveau."
        )
    if code == "internal":
        return _(
            "Erreur interne de Parcours pendant la synchronisation (%(detail)s) ; elle est "
            "consignée dans le journal du serveur."
        ) % {"detail": detail}
    if code == "malformed":
        return _("La réponse de Moodle est illisible (%(detail)s).") % {"detail": detail}
    return _("Moodle a répondu par une erreur « %(code)s » : %(detail)s") % {
        "code": code,
        "detail": detail,
    }


def describe_logged(code: str, stored: str) -> str:
    """The message of an error kept in the sync log as ``code`` and ``"function: detail"``."""
    if not code:
        return ""
    function, sep, detail = stored.partition(": ")
    return describe(code, detail if sep else stored, function if sep else "")


# --- Parsing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteInfo:
    sitename: str
    username: str
    release: str
    functions: tuple[str, ...] = ()


@dataclass(frozen=True)
class MoodleUser:
    id: int
    fullname: str
    email: str  # "" when Moodle does not show it to the web-service user


@dataclass(frozen=True)
class CourseStatus:
    completed: bool
    completed_at: dt.datetime | None  # the last criterion's completion, when Moodle says it


@dataclass(frozen=True)
class Course:
    id: int
    fullname: str
    shortname: str


def _malformed(function: str, detail: str) -> MoodleError:
    logger.warning("moodle: malformed answer to %s: %s", function, detail)
    return MoodleError("malformed", detail[:300], function)


def envelope_error(data: Any, function: str) -> MoodleError | None:
    """Moodle's error envelope, if ``data`` is one."""
    if isinstance(data, Mapping) and "exception" in data:
        code = data.get("errorcode")
        message = data.get("message")
        return MoodleError(
            code if isinstance(code, str) and code else "moodleerror",
            (message if isinstance(message, str) else "")[:300],
            function,
        )
    return None


def _int_id(value: Any, function: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise _malformed(function, f"{what}: {value!r:.40} is not an id")
    return value


def _text(value: Any, limit: int = 255) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _timestamp(value: Any) -> dt.datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if not 0 < value < _MAX_TIMESTAMP:
        return None
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


def parse_site_info(data: Any) -> SiteInfo:
    function = "core_webservice_get_site_info"
    if not isinstance(data, Mapping) or not isinstance(data.get("sitename"), str):
        raise _malformed(function, "no sitename")
    functions = data.get("functions")
    names: list[str] = []
    if isinstance(functions, list):
        names = [
            f["name"]
            for f in functions
            if isinstance(f, Mapping) and isinstance(f.get("name"), str)
        ]
    return SiteInfo(
        sitename=_text(data["sitename"]),
        username=_text(data.get("username")),
        release=_text(data.get("release"), 60),
        functions=tuple(names),
    )


def parse_users(data: Any) -> list[MoodleUser]:
    """``core_enrol_get_enrolled_users``: a list of users (id, fullname, email...)."""
    function = "core_enrol_get_enrolled_users"
    if not isinstance(data, list):
        raise _malformed(function, f"expected a list, got {type(data).__name__}")
    users = []
    for row in data:
        if not isinstance(row, Mapping):
            raise _malformed(function, f"expected a user, got {type(row).__name__}")
        user_id = _int_id(row.get("id"), function, "id")
        fullname = _text(row.get("fullname")) or " ".join(
            part for part in (_text(row.get("firstname")), _text(row.get("lastname"))) if part
        )
        users.append(
            MoodleUser(id=user_id, fullname=fullname[:255], email=_text(row.get("email"), 254))
        )
    return users


def parse_completion(data: Any) -> CourseStatus:
    """``core_completion_get_course_completion_status``: ``{"completionstatus": {"completed":
    bool, "aggregation": int, "completions": [...]}, "warnings": []}``. The course's completion
    time is the latest ``timecompleted`` of its completed criteria."""
    function = "core_completion_get_course_completion_status"
    status = data.get("completionstatus") if isinstance(data, Mapping) else None
    if not isinstance(status, Mapping) or not isinstance(status.get("completed"), bool):
        raise _malformed(function, "no completionstatus.completed")
    if not status["completed"]:
        return CourseStatus(completed=False, completed_at=None)
    criteria = status.get("completions")
    times = []
    if isinstance(criteria, list):
        for criterion in criteria:
            if isinstance(criterion, Mapping) and criterion.get("complete") is True:
                when = _timestamp(criterion.get("timecompleted"))
                if when is not None:
                    times.append(when)
    return CourseStatus(completed=True, completed_at=max(times) if times else None)


def parse_courses(data: Any) -> list[Course]:
    """``core_course_get_courses_by_field``: ``{"courses": [...], "warnings": []}``."""
    function = "core_course_get_courses_by_field"
    courses = data.get("courses") if isinstance(data, Mapping) else None
    if not isinstance(courses, list):
        raise _malformed(function, "no courses list")
    out = []
    for row in courses:
        if not isinstance(row, Mapping):
            raise _malformed(function, "a course is not an object")
        course_id = _int_id(row.get("id"), function, "id")
        if course_id == 1 and row.get("format") == "site":
            continue  # the front page, not a course
        out.append(
            Course(
                id=course_id,
                fullname=_text(row.get("fullname")) or _text(row.get("displayname")),
                shortname=_text(row.get("shortname")),
            )
        )
    return out


def local_date(when: dt.datetime) -> dt.date:
    """A Moodle time as the date it was on the platform's clock (Europe/Brussels)."""
    return when.astimezone(platform_zone()).date()


# --- Calls -------------------------------------------------------------------------------


def _flatten(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Moodle's form encoding of nested parameters: ``options[0][name]=limitfrom``."""
    out: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            out.extend(_flatten(value, name))
        elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
            out.extend(_flatten({str(i): item for i, item in enumerate(value)}, name))
        elif isinstance(value, bool):
            out.append((name, "1" if value else "0"))
        else:
            out.append((name, str(value)))
    return out


def retry_delays() -> tuple[float, ...]:
    return tuple(getattr(settings, "MOODLE_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))


class MoodleClient:
    """Calls to one Moodle site with one token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
        delays: tuple[float, ...] | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + ENDPOINT
        self.token = token
        self.session = session or requests.Session()
        self.timeout = timeout
        self.delays = retry_delays() if delays is None else delays
        self.calls = 0

    def call(self, function: str, **params: Any) -> Any:
        """The decoded answer of ``function``; :class:`MoodleError` on any failure."""
        if not self.token:
            raise MoodleError("notoken", "", function)
        data = [
            ("wstoken", self.token),
            ("wsfunction", function),
            ("moodlewsrestformat", "json"),
            *_flatten(params),
        ]
        attempt = 0
        while True:
            try:
                return self._once(function, data)
            except MoodleError as exc:
                if not exc.retryable or attempt >= len(self.delays):
                    logger.warning("moodle: %s failed: %s", function, exc)
                    raise
                logger.info("moodle: %s failed (%s), retrying", function, exc)
                time.sleep(self.delays[attempt])
                attempt += 1

    def _once(self, function: str, data: list[tuple[str, str]]) -> Any:
        self.calls += 1
        try:
            response = self.session.post(
                self.url, data=data, timeout=self.timeout, allow_redirects=False
            )
        except requests.Timeout as exc:
            raise MoodleError("timeout", type(exc).__name__, function) from exc
        except requests.RequestException as exc:
            raise MoodleError("unreachable", type(exc).__name__, function) from exc
        if response.status_code != 200:
            # 5xx, 408, 429 are retried; a 3xx (a moved site) or 4xx will not get better.
            raise MoodleError("http", str(response.status_code), function)
        try:
            decoded = response.json()
        except ValueError as exc:
            raise _malformed(function, "not JSON") from exc
        error = envelope_error(decoded, function)
        if error is not None:
            raise error
        return decoded

    # The functions Parcours uses.

    def site_info(self) -> SiteInfo:
        return parse_site_info(self.call("core_webservice_get_site_info"))

    def enrolled_users(self, course_id: int, *, offset: int, limit: int) -> list[MoodleUser]:
        options = [
            {"name": "userfields", "value": "id,fullname,email"},
            {"name": "limitfrom", "value": offset},
            {"name": "limitnumber", "value": limit},
            # Stable pages: new participants (higher ids) come after the saved cursor.
            {"name": "sortby", "value": "id"},
            {"name": "sortdirection", "value": "ASC"},
        ]
        return parse_users(
            self.call("core_enrol_get_enrolled_users", courseid=course_id, options=options)
        )

    def completion(self, course_id: int, user_id: int) -> CourseStatus:
        return parse_completion(
            self.call(
                "core_completion_get_course_completion_status", courseid=course_id, userid=user_id
            )
        )

    def courses(self, course_id: int | None = None) -> list[Course]:
        if course_id is None:
            answer = self.call("core_course_get_courses_by_field")
        else:
            answer = self.call("core_course_get_courses_by_field", field="id", value=course_id)
        return parse_courses(answer)
