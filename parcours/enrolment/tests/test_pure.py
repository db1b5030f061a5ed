"""Pure cores: slot lines, QR tokens, postcode distances, file parsing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcours.enrolment import checkin, geo, importing, slots


class TestSlotLines:
    def test_a_full_day_is_two_half_day_slots(self) -> None:
        parsed, errors = slots.parse_lines("10/03/2026 journée")
        assert errors == []
        assert [(s.start.time(), s.end.time()) for s in parsed] == [
            (dt.time(9), dt.time(12, 30)),
            (dt.time(13, 30), dt.time(16, 30)),
        ]

    def test_times_and_iso_dates(self) -> None:
        parsed, errors = slots.parse_lines("2026-03-12 18h-21h\n12/03/2026 9:00 à 12:30")
        assert errors == []
        assert [(s.start.date(), s.start.time()) for s in parsed] == [
            (dt.date(2026, 3, 12), dt.time(9)),
            (dt.date(2026, 3, 12), dt.time(18)),
        ]

    def test_every_bad_line_is_reported_with_its_number(self) -> None:
        text = (
            "10/03/2026 journée\n\n31/02/2026 matin\n11/03/2026 12:00-11:00\n11/03/2026 vers midi"
        )
        _parsed, errors = slots.parse_lines(text)
        assert [e.line for e in errors] == [3, 4, 5]
        assert "date illisible" in errors[0].message

    def test_overlapping_lines_are_refused(self) -> None:
        _parsed, errors = slots.parse_lines("10/03/2026 journée\n10/03/2026 12:00-14:00")
        assert [e.line for e in errors] == [2]

    def test_full_days_are_in_brussels_time_across_dst(self) -> None:
        (morning, _), _afternoon = slots.full_days(dt.date(2026, 3, 30))  # summer time
        assert morning.utcoffset() == dt.timedelta(hours=2)
        assert morning.hour == 9

    @given(
        st.lists(
            st.tuples(
                st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31)),
                st.integers(min_value=0, max_value=22),
                st.integers(min_value=1, max_value=60),
            ),
            min_size=1,
            max_size=6,
            unique_by=lambda t: t[0],
        )
    )
    def test_format_then_parse_gives_the_same_slots(self, items) -> None:
        aware = []
        for day, hour, minutes in items:
            start = dt.datetime.combine(day, dt.time(hour), slots.BRUSSELS)
            end = start + dt.timedelta(minutes=minutes)
            if end.date() != start.date():
                continue
            aware.append((start, end))
        parsed, errors = slots.parse_lines(slots.format_lines(aware))
        assert errors == []
        assert [s.aware() for s in parsed] == sorted(aware)


class TestCheckinTokens:
    @given(st.integers(min_value=1, max_value=10**9), st.floats(min_value=0, max_value=4e9))
    def test_a_fresh_token_verifies_now_and_in_the_next_window_only(self, slot_id, now) -> None:
        secret = "s3cret"
        token = checkin.parse_token(checkin.make_token(secret, slot_id, now))
        assert token is not None and token.slot_id == slot_id
        assert checkin.verify(secret, token, now)
        assert checkin.verify(secret, token, now + checkin.WINDOW_SECONDS)
        assert not checkin.verify(secret, token, now + 2 * checkin.WINDOW_SECONDS)
        assert not checkin.verify("another", token, now)

    @given(st.text(max_size=40))
    def test_garbage_never_parses_into_a_valid_token(self, text) -> None:
        token = checkin.parse_token(text)
        assert token is None or not checkin.verify("s3cret", token, 1_700_000_000)


class TestGeo:
    def test_postcodes_map_to_their_zone(self) -> None:
        assert geo.point_of_postcode("6041") == geo.ZONES["60"]
        assert geo.point_of_postcode("B-4000") == geo.ZONES["40"]
        assert geo.point_of_postcode("75001") is None
        assert geo.point_of_postcode("") is None

    def test_charleroi_is_nearer_to_gosselies_than_liege_is(self) -> None:
        gosselies = geo.point_of_postcode("6041")
        charleroi, liege = geo.point_of_postcode("6000"), geo.point_of_postcode("4000")
        assert gosselies and charleroi and liege
        assert geo.distance_km(gosselies, charleroi) < geo.distance_km(gosselies, liege)
        assert 70 < geo.distance_km(charleroi, liege) < 110


class TestImportFiles:
    def test_csv_with_semicolons_and_french_headers(self) -> None:
        content = "Prénom;Nom;E-mail\nAnne;Dupont;anne@ecole.be\n;;\nBob;Martin;\n".encode("cp1252")
        parsed = importing.parse_file("liste.csv", content)
        assert parsed.rows == [importing.ImportRow(2, "anne@ecole.be", "Anne", "Dupont")]
        assert [(e.line, e.message) for e in parsed.errors] == [(4, "e-mail manquant.")]

    def test_csv_with_commas(self) -> None:
        parsed = importing.parse_file("x.csv", b"email,first name,last name\na@b.be,A,B\n")
        assert parsed.rows == [importing.ImportRow(2, "a@b.be", "A", "B")]

    def test_missing_email_column(self) -> None:
        parsed = importing.parse_file("x.csv", b"nom;prenom\nA;B\n")
        assert parsed.rows == [] and parsed.errors[0].line == 1

    def test_excel(self) -> None:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(["Courriel", "Prénom", "Nom"])
        ws.append(["x@ecole.be", "Xavier", "Durand"])
        buffer = io.BytesIO()
        wb.save(buffer)
        parsed = importing.parse_file("liste.xlsx", buffer.getvalue())
        assert parsed.rows == [importing.ImportRow(2, "x@ecole.be", "Xavier", "Durand")]

    def test_a_broken_excel_file_is_an_error_not_a_crash(self) -> None:
        parsed = importing.parse_file("liste.xlsx", b"PK\x03\x04garbage")
        assert parsed.errors and parsed.rows == []

    @pytest.mark.parametrize("name", ["a.xls"])
    def test_old_excel_is_refused_with_advice(self, name: str) -> None:
        assert ".xlsx" in importing.parse_file(name, b"\xd0\xcf").errors[0].message
