"""``manage.py itc2019``: solve a hand-made instance, check the file it writes."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

TINY = Path(__file__).parents[1] / "itc2019" / "tests" / "data" / "tiny.xml"


def test_solve_writes_a_solution_that_check_accepts(tmp_path):
    out = tmp_path / "solution.xml"
    printed = StringIO()
    call_command(
        "itc2019", "solve", str(TINY), "--seconds", "10", "--out", str(out), stdout=printed
    )
    assert "hard violations: 0" in printed.getvalue()
    assert out.read_text().count("<class ") == 4
    checked = StringIO()
    call_command("itc2019", "check", str(TINY), str(out), stdout=checked)
    assert "hard violations: 0" in checked.getvalue()
    assert "total:" in checked.getvalue()


def test_check_fails_on_hard_violations_and_bad_files(tmp_path):
    broken = tmp_path / "broken.xml"
    wrong_room = '<class id="1" days="10100" start="96" weeks="11" room="2"/>'
    broken.write_text(f'<solution name="tiny">{wrong_room}</solution>')
    printed = StringIO()
    with pytest.raises(CommandError, match="hard violation"):
        call_command("itc2019", "check", str(TINY), str(broken), stdout=printed)
    assert "class 1: room 2 is not one of its options" in printed.getvalue()
    assert "class 2 is not placed" in printed.getvalue()
    garbage = tmp_path / "garbage.xml"
    garbage.write_text("<solution><class")
    with pytest.raises(CommandError, match="Invalid ITC 2019 file"):
        call_command("itc2019", "check", str(TINY), str(garbage))
    with pytest.raises(CommandError, match="No such file"):
        call_command("itc2019", "check", str(TINY), str(tmp_path / "missing.xml"))


def test_the_benchmark_runs_an_instance_in_its_own_process_and_rechecks_it(tmp_path):
    from benchmarks import bench_scheduler

    code = bench_scheduler.main(
        [
            "--seconds",
            "5",
            "--data-dir",
            str(TINY.parent),
            "--results-dir",
            str(tmp_path),
        ]
    )
    assert code == 0
    report = (tmp_path / "scheduler.md").read_text()
    assert "| tiny | 4 |" in report
    assert "- tiny: feasible within 120 s: met" in report
