from __future__ import annotations

import pytest

from parcours.reporting.figures import build_report
from parcours.reporting.periods import Filters, Period


@pytest.mark.django_db
def test_an_empty_organisation_has_zero_figures_and_every_section(org) -> None:
    report = build_report([org.pk], Period.calendar_year(2026), Filters())
    assert [s.key for s in report.sections][:4] == ["training", "people", "logistics", "outreach"]
    assert report.figure("training.people").value == 0
    assert report.figure("training.people").previous_value == 0
    assert report.figure("training.fill_rate").value is None
