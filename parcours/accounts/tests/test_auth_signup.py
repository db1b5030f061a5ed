"""Sign-up with a confirmed address, back to the page asked for; no account enumeration."""

from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from parcours.accounts.models import AuditEntry, User

SIGNUP = reverse("account_signup")
NEW_PASSWORD = "une-phrase-de-passe-solide"


def sign_up(client: Client, email: str, next_url: str = "/sessions/", **extra):
    return client.post(
        f"{SIGNUP}?next={next_url}",
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "next": next_url},
        **extra,
    )


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", str(message.body))
    assert match, message.body
    return match.group(1)


def test_sign_up_confirm_and_land_on_the_page_asked_for(client: Client, db: None) -> None:
    response = sign_up(client, "Nina@Exemple.test", "/sessions/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session  # not before the address is confirmed
    user = User.objects.get(email="nina@exemple.test")
    assert not EmailAddress.objects.get(user=user).verified
    assert AuditEntry.objects.filter(action="user.signup", object_id=str(user.pk)).exists()

    (message,) = mail.outbox
    assert message.to == ["nina@exemple.test"]
    assert message.subject == "[Parcours] Confirmez votre adresse e-mail"
    link = link_in(message)
    page = client.get(link)
    assert "Confirmer votre adresse e-mail" in page.content.decode()
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/sessions/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified


def test_sign_up_refuses_a_common_password_in_french(client: Client, db: None) -> None:
    response = client.post(
        SIGNUP, {"email": "nina@exemple.test", "password1": "password", "password2": "password"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Corrigez les erreurs suivantes" in html
    assert "trop courant" in html
    assert not User.objects.filter(email="nina@exemple.test").exists()


def test_sign_up_next_must_be_a_page_of_this_site(client: Client, db: None) -> None:
    sign_up(client, "nina@exemple.test", "https://evil.example/")
    confirmed = client.post(link_in(mail.outbox[0]))
    assert confirmed.status_code == 302
    assert "evil.example" not in confirmed["Location"]


def test_a_tampered_or_used_link_gets_a_clear_page_and_a_way_forward(
    client: Client, db: None
) -> None:
    sign_up(client, "nina@exemple.test")
    link = link_in(mail.outbox[0])
    page = client.get(link[:-3] + "xx/")
    html = page.content.decode()
    assert "Ce lien ne fonctionne plus" in html
    assert reverse("accounts:login") in html
    client.post(link)
    client.logout()
    again = client.get(link).content.decode()
    assert "Ce lien ne fonctionne plus" in again


def test_logging_in_unconfirmed_sends_a_new_link(client: Client, db: None, settings) -> None:
    sign_up(client, "nina@exemple.test")
    mail.outbox.clear()
    settings.ACCOUNT_EMAIL_CONFIRMATION_COOLDOWN = 0
    response = client.post(
        reverse("accounts:login"), {"login": "nina@exemple.test", "password": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_signing_up_with_a_known_address_reveals_nothing(client: Client, learner: User) -> None:
    """Same page for a known address as for a new one; the owner is told by e-mail."""
    known = sign_up(client, learner.email.upper())
    unknown = sign_up(Client(), "personne@exemple.test")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert User.objects.filter(email__iexact=learner.email).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == [learner.email, "personne@exemple.test"]


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    client: Client, learner: User
) -> None:
    url = reverse("account_reset_password")
    known = client.post(url, {"email": learner.email})
    unknown = client.post(url, {"email": "personne@exemple.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    done = client.get(known["Location"]).content.decode()
    assert learner.email not in done


def test_login_answers_the_same_for_an_unknown_address(client: Client, learner: User) -> None:
    url = reverse("accounts:login")
    wrong = client.post(url, {"login": learner.email, "password": "pas-le-bon-123"})
    unknown = client.post(url, {"login": "personne@exemple.test", "password": "pas-le-bon-123"})
    assert wrong.status_code == unknown.status_code == 200

    def errors(html: str) -> str:
        return re.sub(r"\s+", " ", html.split('class="error-summary"')[1].split("</div>")[0])

    assert errors(wrong.content.decode()) == errors(unknown.content.decode())


def reset_by_link(client: Client, user: User) -> None:
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = link_in([m for m in mail.outbox if user.email in m.to][-1])
    form_page = client.get(link)  # allauth moves the key into the session, then redirects
    assert form_page.status_code == 302
    reset = client.post(
        form_page["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert reset.status_code == 302


def test_password_reset_by_link_then_login(client: Client, learner: User) -> None:
    reset_by_link(client, learner)
    response = client.post(
        reverse("accounts:login"), {"login": learner.email, "password": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:dashboard")
    assert (
        Client()
        .post(reverse("accounts:login"), {"login": learner.email, "password": PASSWORD})
        .status_code
        == 200
    )  # the old one no longer works


def test_a_bad_reset_link_says_so_and_offers_a_new_one(client: Client, learner: User) -> None:
    response = client.get("/compte/password/reset/key/zz-not-a-key/", follow=True)
    html = response.content.decode()
    assert "Ce lien ne fonctionne plus" in html
    assert f'href="{reverse("account_reset_password")}"' in html
    assert "Recevoir un nouveau lien" in html


def test_emails_are_written_in_the_persons_language(client: Client, learner: User) -> None:
    learner.language = "en"
    learner.save()
    client.post(reverse("account_reset_password"), {"email": learner.email})
    (message,) = mail.outbox
    assert "Password Reset" in message.subject
    assert "mot de passe" not in message.body


def test_a_sign_up_from_an_english_page_gets_english_mail(client: Client, db: None) -> None:
    client.cookies["django_language"] = "en"
    sign_up(client, "nina@exemple.test")
    assert User.objects.get(email="nina@exemple.test").language == "en"
    (message,) = mail.outbox
    assert "Please Confirm Your Email Address" in message.subject


def test_french_mail_by_default(client: Client, db: None) -> None:
    sign_up(client, "nina@exemple.test")
    (message,) = mail.outbox
    assert message.subject == "[Parcours] Confirmez votre adresse e-mail"
    assert "[Parcours]" in message.subject


def test_people_created_by_staff_have_a_confirmed_address(coordinator: User) -> None:
    """Accounts made by staff, imports, invitations or the demo need no confirmation."""
    address = EmailAddress.objects.get(user=coordinator)
    assert address.verified and address.primary


def test_people_from_before_allauth_log_in_without_a_confirmation(
    client: Client, coordinator: User
) -> None:
    EmailAddress.objects.filter(user=coordinator).delete()  # as in a database from before
    response = client.post(
        reverse("accounts:login"), {"login": coordinator.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("accounts:dashboard")
    address = EmailAddress.objects.get(user=coordinator)
    assert address.verified and address.primary
    assert mail.outbox == []


def test_people_from_before_allauth_can_reset_their_password(client: Client, learner: User) -> None:
    EmailAddress.objects.filter(user=learner).delete()
    reset_by_link(client, learner)
    response = client.post(
        reverse("accounts:login"), {"login": learner.email, "password": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:dashboard")


def test_a_password_reset_confirms_an_unconfirmed_address(client: Client, db: None) -> None:
    sign_up(client, "nina@exemple.test")
    mail.outbox.clear()
    nina = User.objects.get(email="nina@exemple.test")
    other = Client()
    reset_by_link(other, nina)
    assert EmailAddress.objects.get(user=nina).verified


def test_an_expired_confirmation_link_gets_the_clear_page(
    client: Client, db: None, monkeypatch, settings
) -> None:
    import time

    sign_up(client, "nina@exemple.test")
    link = link_in(mail.outbox[0])
    later = time.time() + (settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS + 1) * 86400
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    html = client.get(link).content.decode()
    assert "Ce lien ne fonctionne plus" in html
    assert client.post(link).status_code in {200, 404}
    assert not EmailAddress.objects.get(email="nina@exemple.test").verified
