"""The daily catering list of a site: what to serve, where, when, how many.

Built at read time from the confirmed bookings of the day and their catering lines, so it
always shows the current counts (a change of participants or of an order shows at the next
print). Three outputs: the printable page, CSV for Excel (Belgian: ``;`` and a BOM) and PDF
(WeasyPrint).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parcours.accounts.models import Site
from parcours.lib.dates import format_time
from parcours.lib.exports import csv_bytes
from parcours.scheduling import planning
from parcours.scheduling.models import Resource


@dataclass(frozen=True)
class CateringRow:
    serve_at: dt.time
    place: str
    booking_id: int
    title: str
    item: str
    count: int
    participants: int | None
    note: str


@dataclass
class CateringList:
    site: Site
    day: dt.date
    rows: list[CateringRow] = field(default_factory=list)

    @property
    def totals(self) -> list[tuple[str, int]]:
        """Quantity per item for the whole day, in order of first appearance."""
        sums: OrderedDict[str, int] = OrderedDict()
        for row in self.rows:
            sums[row.item] = sums.get(row.item, 0) + row.count
        return list(sums.items())

    @property
    def filename(self) -> str:
        return f"catering-{self.site.slug}-{self.day.isoformat()}"


def _place(resources: list[Resource]) -> str:
    rooms = [r for r in resources if r.kind == Resource.Kind.ROOM] or resources
    return ", ".join(r.name for r in rooms)


def daily_list(site: Site, day: dt.date) -> CateringList:
    """Every catering line of the confirmed bookings touching ``day`` at ``site``, by time
    then place (3 queries, whatever the number of bookings)."""
    result = CateringList(site=site, day=day)
    for booking in planning.bookings_of_day(site, day):
        lines = list(booking.catering_lines.all())
        if not lines:
            continue
        start = timezone.localtime(booking.start, planning.TZ)
        default_time = start.time() if start.date() == day else dt.time(0)
        place = _place(list(booking.resources.all()))
        for line in lines:
            result.rows.append(
                CateringRow(
                    serve_at=line.serve_at or default_time,
                    place=place,
                    booking_id=booking.pk,
                    title=booking.title,
                    item=line.item.label,
                    count=line.count,
                    participants=booking.participants,
                    note=line.note,
                )
            )
    result.rows.sort(key=lambda r: (r.serve_at, r.place, r.title, r.item))
    return result


CSV_HEADER = (
    gettext_noop("Heure"),
    gettext_noop("Lieu"),
    gettext_noop("Réservation"),
    gettext_noop("Article"),
    gettext_noop("Quantité"),
    gettext_noop("Participants"),
    gettext_noop("Remarque"),
)


def as_csv(catering: CateringList) -> bytes:
    """UTF-8 with a BOM and ``;`` separators (what Excel in Belgium opens correctly); every text
    cell is formula-safe (``parcours.lib.exports``): a title or note typed as ``=HYPERLINK(…)``
    is shown as text, never run."""
    return csv_bytes(
        [_(h) for h in CSV_HEADER],
        (
            [
                format_time(row.serve_at),
                row.place,
                row.title,
                row.item,
                row.count,
                "" if row.participants is None else row.participants,
                row.note,
            ]
            for row in catering.rows
        ),
    )


def as_pdf(catering: CateringList) -> bytes:
    """The printable list as an A4 PDF (WeasyPrint; fonts from the system, no network)."""
    from weasyprint import HTML

    html = render_to_string("scheduling/catering_pdf.html", {"catering": catering})
    return bytes(HTML(string=html).write_pdf())
