"""``manage.py itc2019 solve INSTANCE.xml --seconds 600 --out SOLUTION.xml`` and
``manage.py itc2019 check INSTANCE.xml SOLUTION.xml``: the ITC 2019 benchmark from the command
line. A thin wrapper: the work is in ``parcours.timetabling.itc2019`` (no Django)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parcours.timetabling.itc2019.checker import check
from parcours.timetabling.itc2019.solver import solve
from parcours.timetabling.itc2019.xml import (
    FormatError,
    read_problem,
    read_solution,
    write_solution,
)


class Command(BaseCommand):
    help = "Résout ou vérifie une instance ITC 2019 (emploi du temps universitaire)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        solver = actions.add_parser("solve", help="Résout une instance")
        solver.add_argument("instance", type=Path)
        solver.add_argument("--seconds", type=float, default=600.0, help="Temps maximal")
        solver.add_argument("--out", type=Path, required=True, help="Fichier de la solution")
        solver.add_argument("--workers", type=int, default=2, help="Fils de CP-SAT")
        solver.add_argument("--seed", type=int, default=0)
        solver.add_argument("--log", action="store_true", help="Journal de recherche de CP-SAT")
        checker = actions.add_parser("check", help="Vérifie une solution")
        checker.add_argument("instance", type=Path)
        checker.add_argument("solution", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            problem = read_problem(_existing(options["instance"]))
            if options["action"] == "check":
                solution = read_solution(_existing(options["solution"]))
                report = check(problem, solution)
                self.stdout.write(report.summary())
                if not report.feasible:
                    raise CommandError(f"{len(report.hard)} hard violation(s)", returncode=1)
                return
            if options["seconds"] <= 0 or options["workers"] < 1:
                raise CommandError("--seconds and --workers must be positive")
            result = solve(
                problem,
                options["seconds"],
                workers=options["workers"],
                seed=options["seed"],
                log=options["log"],
                on_progress=lambda elapsed, total: self.stdout.write(
                    f"{elapsed:7.1f} s  model total {total:.0f}"
                ),
            )
        except FormatError as error:
            raise CommandError(f"Invalid ITC 2019 file: {error}") from error
        if result.solution is None or result.report is None:
            raise CommandError(f"No solution found ({result.progress.status}).")
        options["out"].write_text(write_solution(problem, result.solution), encoding="utf-8")
        first = result.first_feasible_seconds
        self.stdout.write(f"first feasible after {first:.1f} s" if first is not None else "")
        self.stdout.write(result.report.summary())
        self.stdout.write(f"written to {options['out']}")


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise CommandError(f"No such file: {path}")
    return path
