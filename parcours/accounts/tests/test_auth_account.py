"""Managing one's account: e-mail change (confirmed on the new address, the old one told),
password change notice, logging out one's other sessions."""

from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from parcours.accounts.models import User


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", str(message.body))
    assert match, message.body
    return match.group(1)


def login(email: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"login": email, "password": password})
    assert response["Location"] == reverse("accounts:dashboard")
    return client


def test_changing_the_address_is_confirmed_on_the_new_one_and_told_to_the_old(
    learner: User,
) -> None:
    client = login(learner.email)
    page = client.get(reverse("account_email"))
    assert page.status_code == 200
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "chloe.renard@nouveau.test"}
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.email == "chloe@exemple.test"  # not before confirmation
    (confirm,) = mail.outbox
    assert confirm.to == ["chloe.renard@nouveau.test"]
    mail.outbox.clear()

    client.post(link_in(confirm))
    learner.refresh_from_db()
    assert learner.email == "chloe.renard@nouveau.test"
    assert list(EmailAddress.objects.filter(user=learner).values_list("email", flat=True)) == [
        "chloe.renard@nouveau.test"
    ]
    (notice,) = mail.outbox
    assert notice.to == ["chloe@exemple.test"]
    assert "chloe.renard@nouveau.test" in notice.body
    # The date is local and written out (parcours.lib.dates), never UTC.
    assert re.search(r"date : \w+ \d{1,2} \w+ \d{4} à \d{2}:\d{2}", str(notice.body)), notice.body
    assert "UTC" not in notice.body and "+00:00" not in notice.body


def test_the_notice_of_a_new_password_is_in_the_persons_language(learner: User) -> None:
    learner.language = "en"
    learner.save()
    client = login(learner.email)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-phrase",
            "password2": "a-new-long-phrase",
        },
    )
    assert response.status_code == 302
    (notice,) = mail.outbox
    assert notice.to == [learner.email]
    assert "Password Changed" in notice.subject
    assert "Vous recevez" not in notice.body
    body = str(notice.body)
    assert re.search(r"date: \w+day \d{1,2} \w+ \d{4} at \d{2}:\d{2}", body), body


def test_log_out_my_other_sessions(learner: User) -> None:
    phone = login(learner.email)
    laptop = login(learner.email)
    page = laptop.get(reverse("usersessions_list"))
    assert page.status_code == 200
    laptop.post(reverse("usersessions_list"))
    assert laptop.get(reverse("accounts:dashboard")).status_code == 200
    assert phone.get(reverse("accounts:dashboard")).status_code == 302  # back to the login page
