"""The borrower's settings: language, channel and early outreach, on /settings/ and through
`/api/v1/me/preferences/`, each seeing what the other saved."""

import pytest
from django.conf import settings

from loans.models import Borrower
from tests.api.conftest import client_for
from tests.factories import BorrowerFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/settings/"
API = "/api/v1/me/preferences/"


@pytest.fixture
def page(client, alice):
    client.force_login(alice.user)
    return client


def saved(client, **fields):
    data = {"language": "zh-hans", "channel": "sms", "outreach": "on", **fields}
    return client.post(URL, {key: value for key, value in data.items() if value is not None})


def test_the_page_shows_her_choices_in_chinese_by_default(page, alice):
    body = page.get(URL).content.decode()
    assert "<h1>设置</h1>" in body
    assert '<input type="radio" name="language" value="zh-hans" checked>' in body
    assert '<input type="radio" name="channel" value="sms" checked>' in body
    assert 'name="outreach" id="id_outreach" aria-describedby="outreach-help" checked' in body
    assert alice.masked_phone in body


def test_the_page_in_english(page):
    page.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = page.get(URL).content.decode()
    assert "<h1>Settings</h1>" in body
    assert "Tell me early when an installment may be hard to pay" in body


def test_unticking_early_help_opts_her_out_and_the_api_says_so(page, alice):
    response = saved(page, outreach=None)
    assert response.status_code == 302 and response["Location"] == URL
    alice.refresh_from_db()
    assert alice.outreach_opt_out is True
    body = page.get(URL).content.decode()
    assert 'aria-describedby="outreach-help" checked' not in body
    assert client_for(alice.user).get(API).json()["outreach_opt_out"] is True


def test_choosing_english_switches_her_messages_and_the_site(page, alice):
    response = saved(page, language="en")
    alice.refresh_from_db()
    assert alice.language == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Your settings are saved." in page.get(URL).content.decode()


def test_sms_without_a_phone_number_is_refused_next_to_the_field(client, db):
    borrower = BorrowerFactory(phone="", notification_channel="email")
    client.force_login(borrower.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = saved(client, channel="sms", outreach=None)
    assert response.status_code == 200
    body = response.content.decode()
    assert "We have no mobile number for you, so we cannot send SMS. Choose email." in body
    assert '<p class="field-error" role="alert">' in body
    borrower.refresh_from_db()
    assert (borrower.notification_channel, borrower.outreach_opt_out) == ("email", False)


def test_an_unknown_choice_is_an_error_next_to_its_field(page, alice):
    page.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = saved(page, language="fr")
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    alice.refresh_from_db()
    assert alice.language == "zh-hans"


def test_only_borrowers_have_settings(client):
    assert client.get(URL).status_code == 302
    client.force_login(UserFactory(username="ops-desk", is_staff=True))
    assert client.get(URL).status_code == 404


def test_api_reads_and_changes_her_preferences(alice):
    api = client_for(alice.user)
    assert api.get(API).json() == {
        "outreach_opt_out": False,
        "language": "zh-hans",
        "channel": "sms",
    }
    response = api.patch(API, {"outreach_opt_out": True, "channel": "email"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"outreach_opt_out": True, "language": "zh-hans", "channel": "email"}
    alice.refresh_from_db()
    assert (alice.outreach_opt_out, alice.notification_channel) == (True, "email")


def test_api_changes_only_her_own(alice, bob):
    client_for(bob.user).patch(API, {"outreach_opt_out": True}, format="json")
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.outreach_opt_out, bob.outreach_opt_out) == (False, True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "fr"}, "language"),
        ({"channel": "pigeon"}, "channel"),
        ({"outreach_opt_out": None}, "outreach_opt_out"),
        ({"opt_out": True}, "opt_out"),
    ],
)
def test_api_refuses_bad_input_with_the_field_named(alice, body, field):
    response = client_for(alice.user).patch(API, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    alice.refresh_from_db()
    assert (alice.language, alice.notification_channel, alice.outreach_opt_out) == (
        "zh-hans",
        "sms",
        False,
    )


def test_api_refuses_a_channel_it_cannot_reach(db):
    borrower = BorrowerFactory(user__email="")
    response = client_for(borrower.user).patch(
        API, {"channel": "email"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "channel": ["We have no email address for you, so we cannot send email. Choose SMS."]
    }
    assert Borrower.objects.get(pk=borrower.pk).notification_channel == "sms"


def test_api_is_for_borrowers(db):
    assert client_for(None).get(API).status_code == 401
    staff = UserFactory(username="reviewer-x", is_staff=True)
    assert client_for(staff).get(API).status_code == 403


def test_saving_other_settings_keeps_the_site_in_the_language_she_reads(page, alice):
    page.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = page.get(URL).content.decode()
    assert "Your messages are in Chinese; you are reading the site in English." in body
    response = saved(page, outreach=None)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert "Your settings are saved." in page.get(URL).content.decode()
    alice.refresh_from_db()
    assert (alice.language, alice.outreach_opt_out) == ("zh-hans", True)
