from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.integrations.moodle import client
from parcours.integrations.moodle.client import MoodleClient, MoodleError
from parcours.integrations.moodle.tests.fake_moodle import FakeMoodle, completion, user

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "email",
                    "fullname",
                    "firstname",
                    "sitename",
                    "courses",
                    "completionstatus",
                    "completed",
                    "completions",
                    "complete",
                    "timecompleted",
                    "format",
                    "x",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)
PARSERS = [
    client.parse_site_info,
    client.parse_users,
    client.parse_completion,
    client.parse_courses,
]


@settings(max_examples=300, deadline=None)
@given(data=json_values, which=st.integers(min_value=0, max_value=len(PARSERS) - 1))
def test_malformed_answers_never_crash_they_give_a_logged_error(data: Any, which: int) -> None:
    try:
        parsed = PARSERS[which](data)
    except MoodleError as exc:
        assert exc.code == "malformed"
        assert exc.message  # a sentence a person can read
    else:
        assert parsed is not None


def test_a_malformed_answer_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="parcours.integrations.moodle"),
        pytest.raises(MoodleError),
    ):
        client.parse_users({"users": []})
    assert "malformed answer to core_enrol_get_enrolled_users" in caplog.text


def test_documented_answers_are_read() -> None:
    users = client.parse_users([user(5, "Chloé", "Renard", "chloe@exemple.test")])
    assert users == [client.MoodleUser(id=5, fullname="Chloé Renard", email="chloe@exemple.test")]
    done = client.parse_completion(completion(True, 1775000000))
    assert done.completed and done.completed_at == dt.datetime.fromtimestamp(1775000000, dt.UTC)
    assert client.parse_completion(completion(False)) == client.CourseStatus(False, None)
    # Completed without a date for any criterion (e.g. marked by a teacher): no date.
    odd = completion(True, None)
    odd["completionstatus"]["completions"][0]["timecompleted"] = None
    assert client.parse_completion(odd).completed_at is None


def test_nested_parameters_use_moodles_form_encoding() -> None:
    flat = client._flatten(
        {"courseid": 4, "options": [{"name": "limitfrom", "value": 0}], "flag": True}
    )
    assert flat == [
        ("courseid", "4"),
        ("options[0][name]", "limitfrom"),
        ("options[0][value]", "0"),
        ("flag", "1"),
    ]


@pytest.mark.parametrize(
    ("code", "french", "english"),
    [
        ("invalidtoken", "refuse le jeton", "refuses the web service token"),
        ("accessexception", "n'autorise pas la fonction", "does not allow the function"),
        ("invalidparameter", "refuse un paramètre", "refuses a parameter"),
    ],
)
def test_moodles_error_envelope_is_recognised_and_explained(
    code: str, french: str, english: str
) -> None:
    fake = FakeMoodle().start()
    try:
        if code == "invalidtoken":
            call = MoodleClient(fake.url, "0" * 32, delays=())
        else:
            call = MoodleClient(fake.url, fake.token, delays=())
        if code == "accessexception":
            fake.allowed = ("core_webservice_get_site_info",)
        with pytest.raises(MoodleError) as caught:
            if code == "invalidparameter":
                call.call("core_course_get_courses_by_field", field="nothing", value="x")
            else:
                call.courses()
    finally:
        fake.stop()
    assert caught.value.code == code
    assert french in caught.value.message
    with translation.override("en"):
        assert english in caught.value.message


def test_site_info_is_read_from_the_local_moodle() -> None:
    fake = FakeMoodle().start()
    try:
        info = MoodleClient(fake.url + "/", fake.token, delays=()).site_info()
    finally:
        fake.stop()
    assert info.sitename == "Moodle-Technosphère (essai)"
    assert info.username == "ws-parcours"
    assert "core_enrol_get_enrolled_users" in info.functions


def test_an_html_error_page_is_malformed_not_a_crash() -> None:
    fake = FakeMoodle().start()
    fake.hook = lambda function, params: (200, b"<html>Maintenance</html>")
    try:
        with pytest.raises(MoodleError) as caught:
            MoodleClient(fake.url, fake.token, delays=()).site_info()
    finally:
        fake.stop()
    assert caught.value.code == "malformed"
