"""What Parcours hands to people: attestations, calendars, messages.

- ``models``: ``Attestation`` (one valid per enrolment, snapshot of what it states, revoked
  never deleted), ``CalendarFeed`` (secret-token subscription, SHA-256 stored),
  ``SessionCalendar`` (iCalendar SEQUENCE per session), ``ReminderSent`` (once per enrolment
  and session start).
- ``actions``: every write (issue / revoke attestations, create / revoke feeds, bookkeeping).
- ``ical``: pure iCalendar writer and reader; ``calendars``: sessions as events (feeds and
  e-mail attachments share UIDs and SEQUENCE); ``pdf``: WeasyPrint attestation and ZIP;
  ``mailing``: the enrolment e-mails with their .ics, and the reminder.
- ``receivers``: reactions to ``parcours.enrolment.signals`` (each enqueues a ``tasks`` task);
  the confirmed / promoted / cancelled e-mails (with their .ics) are this app's.
- ``manage.py send_reminders``: run hourly by cron.

URLs (namespace ``documents``, mounted at the site root): ``my_attestations``
(/attestations/), ``download``, ``request``, ``verify`` (/attestations/verifier/<code>/, public),
``verify_form``, ``session_attestations`` / ``session_issue`` / ``session_zip`` / ``revoke``
(coordinators), ``calendar`` (/agenda/), ``calendar_generate``, ``calendar_revoke``, ``feed``
(/agenda/flux/<token>.ics, public with the token).
"""
