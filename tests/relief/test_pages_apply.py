"""The application form: submit with evidence, errors next to their fields, one per loan."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from relief.models import Evidence, ReliefApplication
from tests.factories import overdue_loan
from tests.relief.page_helpers import JPEG, PDF, PNG, pdf, submitted

pytestmark = pytest.mark.django_db


def apply_url(loan):
    return reverse("loan-apply", args=[loan.pk])


def form_token(client, loan) -> str:
    body = client.get(apply_url(loan)).content.decode()
    marker = 'name="token" value="'
    start = body.index(marker) + len(marker)
    return body[start : body.index('"', start)]


def post_apply(client, loan, *, files=(), token=None, **fields):
    data = {"reason": "serious_illness", "description": "I was in hospital.", **fields}
    data["token"] = token if token is not None else form_token(client, loan)
    if files:
        data["files"] = list(files)
    return client.post(apply_url(loan), data)


def test_owner_sees_the_form_with_labelled_controls_and_the_quote(alice_client, loan):
    response = alice_client.get(apply_url(loan), {"reason": "accident"})
    body = response.content.decode()
    assert response.status_code == 200
    for control in ("id_reason", "id_description", "id_files"):
        assert f'<label for="{control}">' in body
    assert 'type="file" id="id_files" name="files" multiple' in body
    assert 'enctype="multipart/form-data"' in body
    assert "Your estimate" in body and 'class="percent">90%' in body
    assert '<option value="accident" selected>' in body
    assert "A police or hospital report of the accident." in body


def test_submitting_creates_the_application_and_redirects_to_it(alice_client, alice, loan):
    response = post_apply(alice_client, loan, files=[pdf(), SimpleUploadedFile("x.png", PNG)])
    application = ReliefApplication.objects.get(loan=loan)
    assert response.status_code == 302
    assert response["Location"] == reverse("application-detail", args=[application.pk])
    assert application.reason == "serious_illness"
    assert application.description == "I was in hospital."
    assert application.evidence.count() == 2
    page = alice_client.get(response["Location"]).content.decode()
    assert f"We received your application #{application.pk}" in page
    assert "certificate.pdf" in page and "x.png" in page


def test_a_jpeg_is_accepted(alice_client, loan):
    post_apply(alice_client, loan, files=[SimpleUploadedFile("photo.jpg", JPEG)])
    assert Evidence.objects.get().content_type == "image/jpeg"


def test_a_missing_reason_is_shown_next_to_the_reason(alice_client, loan):
    response = post_apply(alice_client, loan, reason="")
    body = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in body
    assert 'aria-invalid="true"' in body
    assert not ReliefApplication.objects.exists()


def test_a_too_long_description_is_refused_next_to_it(alice_client, loan):
    response = post_apply(alice_client, loan, description="x" * 4001)
    assert "at most 4000 characters" in response.content.decode()
    assert not ReliefApplication.objects.exists()


def test_a_text_file_renamed_to_pdf_is_refused_and_nothing_is_created(alice_client, loan):
    fake = SimpleUploadedFile("scan.pdf", b"just some text, not a scan\n")
    response = post_apply(alice_client, loan, files=[fake])
    body = response.content.decode()
    assert response.status_code == 200
    assert "scan.pdf is not a PDF, JPEG or PNG file." in body
    assert not ReliefApplication.objects.exists()
    assert not Evidence.objects.exists()


def test_an_11_mb_file_is_refused(alice_client, loan):
    big = SimpleUploadedFile("big.pdf", PDF[:-7] + b" " * (11 * 1024 * 1024) + b"%%EOF\n")
    response = post_apply(alice_client, loan, files=[big])
    assert "big.pdf is larger than 10 MB." in response.content.decode()
    assert not ReliefApplication.objects.exists()


def test_an_eleventh_file_is_refused(alice_client, loan):
    files = [pdf(f"page{n}.pdf") for n in range(11)]
    response = post_apply(alice_client, loan, files=files)
    assert "An application can have at most 10 files." in response.content.decode()
    assert not ReliefApplication.objects.exists()


def test_ten_files_are_accepted(alice_client, loan):
    post_apply(alice_client, loan, files=[pdf(f"page{n}.pdf") for n in range(10)])
    assert Evidence.objects.count() == 10


def test_a_path_traversal_name_is_stored_under_a_random_name_and_shown_safely(
    alice_client, loan, settings
):
    post_apply(alice_client, loan, files=[pdf("../../etc/passwd.pdf")])
    evidence = Evidence.objects.get()
    stored = evidence.file.name
    assert stored.startswith(f"evidence/{evidence.application_id}/")
    assert ".." not in stored and "passwd" not in stored
    assert evidence.original_name == "passwd.pdf"
    assert (settings.MEDIA_ROOT / stored).is_file()
    page = alice_client.get(reverse("application-detail", args=[evidence.application_id]))
    body = page.content.decode()
    assert "passwd.pdf" in body and "../" not in body.split("<main>")[1]


def test_a_second_application_on_the_loan_gets_a_message_linking_the_open_one(
    alice_client, alice, loan
):
    first = submitted(alice, loan)
    response = post_apply(alice_client, loan, token="")
    assert response.status_code == 302
    assert response["Location"] == reverse("application-detail", args=[first.pk])
    body = alice_client.get(response["Location"]).content.decode()
    assert f"This loan already has an open application (#{first.pk})." in body
    assert f'<a href="{reverse("application-detail", args=[first.pk])}">' in body
    assert ReliefApplication.objects.count() == 1


def test_the_form_sent_twice_makes_one_application_and_says_so(alice_client, loan):
    token = form_token(alice_client, loan)
    first = post_apply(alice_client, loan, token=token)
    again = post_apply(alice_client, loan, token=token)
    application = ReliefApplication.objects.get()
    assert first["Location"] == again["Location"]
    body = alice_client.get(again["Location"]).content.decode()
    assert "This form was already sent. Here is your application." in body
    assert ReliefApplication.objects.count() == 1
    assert application.events.count() == 1


def test_there_is_no_form_when_an_application_is_already_open(alice_client, alice, loan):
    first = submitted(alice, loan)
    body = alice_client.get(apply_url(loan)).content.decode()
    assert 'name="description"' not in body
    assert reverse("application-detail", args=[first.pk]) in body


def test_a_loan_that_is_not_eligible_gets_a_form_level_error(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    form = form_token(alice_client, loan)
    loan.fraud_flag = True
    loan.save()
    response = post_apply(alice_client, loan, token=form)
    body = response.content.decode()
    assert response.status_code == 200
    assert "This loan cannot get relief now" in body and 'role="alert"' in body
    assert not ReliefApplication.objects.exists()


def test_other_borrower_gets_404_on_the_application_form(client, bob, loan):
    client.force_login(bob.user)
    assert client.get(apply_url(loan)).status_code == 404
    assert client.post(apply_url(loan), {"reason": "other"}).status_code == 404
    assert not ReliefApplication.objects.exists()
