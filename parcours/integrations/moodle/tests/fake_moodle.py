"""A local stand-in for Moodle's REST web services (threading http.server on 127.0.0.1, random
port), answering like Moodle does: the token and the function are checked first (Moodle's
error envelope with HTTP 200 when refused), nested parameters arrive form-encoded
(``options[0][name]=limitfrom``), and the answers have the documented shapes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

FUNCTIONS = (
    "core_webservice_get_site_info",
    "core_course_get_courses_by_field",
    "core_enrol_get_enrolled_users",
    "core_completion_get_course_completion_status",
)


def error(exception: str, errorcode: str, message: str, debuginfo: str = "") -> dict[str, Any]:
    body = {"exception": exception, "errorcode": errorcode, "message": message}
    if debuginfo:
        body["debuginfo"] = debuginfo
    return body


def user(uid: int, first: str, last: str, email: str) -> dict[str, Any]:
    """A user as ``core_enrol_get_enrolled_users`` returns it."""
    return {
        "id": uid,
        "username": email.split("@")[0] if email else f"user{uid}",
        "firstname": first,
        "lastname": last,
        "fullname": f"{first} {last}",
        "email": email,
        "department": "",
        "firstaccess": 1696150000,
        "lastaccess": 1700000000,
        "lastcourseaccess": 1700000000,
        "description": "",
        "descriptionformat": 1,
        "country": "BE",
        "profileimageurlsmall": "https://moodle.test/theme/image.php/boost/core/1/u/f2",
        "profileimageurl": "https://moodle.test/theme/image.php/boost/core/1/u/f1",
        "roles": [{"roleid": 5, "name": "", "shortname": "student", "sortorder": 0}],
    }


def completion(completed: bool, timecompleted: int | None = None) -> dict[str, Any]:
    """An answer of ``core_completion_get_course_completion_status``."""
    return {
        "completionstatus": {
            "completed": completed,
            "aggregation": 1,
            "completions": [
                {
                    "type": 4,
                    "title": "Achèvement d'activité",
                    "status": "Oui" if completed else "Non",
                    "complete": completed,
                    "timecompleted": timecompleted if completed else None,
                    "details": {
                        "type": "Achèvement d'activité",
                        "criteria": '<a href="https://moodle.test/mod/quiz/view.php?id=7">Quiz</a>',
                        "requirement": "Atteindre la note minimale",
                        "status": "",
                    },
                }
            ],
        },
        "warnings": [],
    }


Hook = Callable[[str, dict[str, str]], "tuple[int, bytes] | None"]


@dataclass
class FakeMoodle:
    token: str = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
    sitename: str = "Moodle-Technosphère (essai)"
    allowed: tuple[str, ...] = FUNCTIONS
    courses: dict[int, dict[str, Any]] = field(default_factory=dict)
    enrolled: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    # (course, user) -> answer; a course absent from ``criteria`` has no completion criteria.
    statuses: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    criteria: set[int] = field(default_factory=set)
    hook: Hook | None = None
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add_course(self, course_id: int, fullname: str, shortname: str = "") -> None:
        self.courses[course_id] = {
            "id": course_id,
            "fullname": fullname,
            "displayname": fullname,
            "shortname": shortname or f"C{course_id}",
            "categoryid": 2,
            "categoryname": "Enseignants",
            "summary": "",
            "summaryformat": 1,
            "format": "topics",
            "startdate": 1693519200,
            "enddate": 0,
            "visible": 1,
            "enablecompletion": 1,
        }
        self.criteria.add(course_id)
        self.enrolled.setdefault(course_id, [])

    def calls_to(self, function: str) -> list[dict[str, str]]:
        return [params for name, params in self.calls if name == function]

    # --- Answers -----------------------------------------------------------------------------

    def answer(self, params: dict[str, str]) -> tuple[int, Any]:
        if params.get("wstoken") != self.token:
            return 200, error(
                "moodle_exception", "invalidtoken", "Jeton non valide - jeton introuvable"
            )
        function = params.get("wsfunction", "")
        if function not in self.allowed:
            return 200, error(
                "webservice_access_exception", "accessexception", "Exception de contrôle d'accès"
            )
        if params.get("moodlewsrestformat") != "json":
            return 200, "<xml/>"
        self.calls.append((function, params))
        if self.hook is not None:
            special = self.hook(function, params)
            if special is not None:
                return special[0], special[1]
        try:
            return 200, getattr(self, function)(params)
        except (KeyError, ValueError):
            return 200, error(
                "invalid_parameter_exception",
                "invalidparameter",
                "Valeur de paramètre non valide détectée",
            )

    def core_webservice_get_site_info(self, params: dict[str, str]) -> Any:
        return {
            "sitename": self.sitename,
            "username": "ws-parcours",
            "firstname": "Service",
            "lastname": "Parcours",
            "fullname": "Service Parcours",
            "lang": "fr",
            "userid": 3,
            "siteurl": self.url,
            "userpictureurl": f"{self.url}/theme/image.php/boost/core/1/u/f1",
            "functions": [{"name": name, "version": "2022112800"} for name in self.allowed],
            "downloadfiles": 0,
            "uploadfiles": 0,
            "release": "4.1.5+ (Build: 20230908)",
            "version": "2022112805.05",
            "mobilecssurl": "",
            "advancedfeatures": [{"name": "usecomments", "value": 1}],
            "usercanmanageownfiles": True,
            "userquota": 104857600,
            "usermaxuploadfilesize": 104857600,
            "userhomepage": 1,
            "userprivateaccesskey": "x",
            "siteid": 1,
            "sitecalendartype": "gregorian",
            "usercalendartype": "gregorian",
            "userissiteadmin": False,
            "theme": "boost",
        }

    def core_course_get_courses_by_field(self, params: dict[str, str]) -> Any:
        fieldname, value = params.get("field", ""), params.get("value", "")
        if fieldname == "":
            found = list(self.courses.values())
        elif fieldname == "id":
            found = [self.courses[int(value)]] if int(value) in self.courses else []
        else:
            raise ValueError(fieldname)
        return {"courses": found, "warnings": []}

    def core_enrol_get_enrolled_users(self, params: dict[str, str]) -> Any:
        course_id = int(params["courseid"])
        if course_id not in self.courses:
            return error(
                "dml_missing_record_exception",
                "invalidrecord",
                "Impossible de trouver l'enregistrement dans la table course de la base de "
                "données.",
            )
        options: dict[str, str] = {}
        index = 0
        while f"options[{index}][name]" in params:
            options[params[f"options[{index}][name]"]] = params[f"options[{index}][value]"]
            index += 1
        start = int(options.get("limitfrom", "0"))
        number = int(options.get("limitnumber", "0"))
        rows = self.enrolled[course_id]
        return rows[start : start + number] if number else rows[start:]

    def core_completion_get_course_completion_status(self, params: dict[str, str]) -> Any:
        course_id, user_id = int(params["courseid"]), int(params["userid"])
        if course_id not in self.courses:
            raise ValueError(course_id)
        if course_id not in self.criteria:
            return error("moodle_exception", "nocriteriaset", "Aucun critère d'achèvement défini")
        return self.statuses.get((course_id, user_id), completion(False))

    # --- Server ------------------------------------------------------------------------------

    def start(self) -> FakeMoodle:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                if self.path != "/webservice/rest/server.php":
                    self._send(404, b"Not found", "text/plain")
                    return
                length = int(self.headers.get("Content-Length", "0"))
                params = dict(parse_qsl(self.rfile.read(length).decode("utf-8")))
                status, body = fake.answer(params)
                raw = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
                self._send(status, raw, "application/json")

            def _send(self, status: int, raw: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
