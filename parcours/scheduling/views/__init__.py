"""The logistics area's pages, one module per subject (``planning``: hub, grid, occupancy;
``bookings``; ``lobby``; ``catering``; ``loans``; ``outreach``; ``requests``: the request
form, approvals, my requests, availability; ``manage``: resources and sites; ``feeds``: iCalendar).

Thin views: reads come from ``planning``/querysets, writes go through ``actions``. Every page works
without JavaScript; with htmx the grid opens bookings and free cells in a dialog, and forms answer
there (errors in place: 422 with the form fragment).
"""

from __future__ import annotations

from parcours.scheduling.views.bookings import (
    booking_approve,
    booking_cancel,
    booking_catering,
    booking_create,
    booking_detail,
    booking_lobby,
    booking_move,
    booking_refuse,
)
from parcours.scheduling.views.catering import (
    catering_csv,
    catering_item_toggle,
    catering_items,
    catering_list,
    catering_pdf,
)
from parcours.scheduling.views.feeds import resource_feed, site_feed
from parcours.scheduling.views.loans import (
    loan_create,
    loan_item_history,
    loan_list,
    loan_person_history,
    loan_remind,
    loan_reminders,
    loan_return,
)
from parcours.scheduling.views.lobby import lobby
from parcours.scheduling.views.manage import (
    can_manage,
    closure_remove,
    manage,
    resource_form,
    site_form,
    site_settings,
)
from parcours.scheduling.views.outreach import (
    outreach_activities,
    outreach_activity_list,
    outreach_detail,
    outreach_kit,
    outreach_mine,
    outreach_queue,
    outreach_request,
)
from parcours.scheduling.views.planning import hub, occupancy, planning_day, planning_week
from parcours.scheduling.views.recurrence import series_cancel, series_create, series_detail
from parcours.scheduling.views.requests import (
    approvals,
    approve,
    availability,
    cancel,
    my_requests,
    refuse,
    request_booking,
)

__all__ = [
    "approvals",
    "approve",
    "availability",
    "booking_approve",
    "booking_cancel",
    "booking_catering",
    "booking_create",
    "booking_detail",
    "booking_lobby",
    "booking_move",
    "booking_refuse",
    "can_manage",
    "cancel",
    "catering_csv",
    "catering_item_toggle",
    "catering_items",
    "catering_list",
    "catering_pdf",
    "closure_remove",
    "hub",
    "loan_create",
    "loan_item_history",
    "loan_list",
    "loan_person_history",
    "loan_remind",
    "loan_reminders",
    "loan_return",
    "lobby",
    "manage",
    "my_requests",
    "occupancy",
    "outreach_activities",
    "outreach_activity_list",
    "outreach_detail",
    "outreach_kit",
    "outreach_mine",
    "outreach_queue",
    "outreach_request",
    "planning_day",
    "planning_week",
    "refuse",
    "request_booking",
    "resource_feed",
    "resource_form",
    "series_cancel",
    "series_create",
    "series_detail",
    "site_feed",
    "site_form",
    "site_settings",
]
