"""IDOR beyond the matrix: ids that are real but do not belong together, and someone else's
objects named in a request body or a redirect target."""

import pytest

from relief import services
from tests.factories import overdue_loan
from tests.relief.page_helpers import PDF, pdf
from tests.security.conftest import World, api_client, page_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def bobs_case(world: World, bob):
    application = services.relief_application_submit(
        loan=world.bob_loan,
        reason="accident",
        uploads=[pdf("bob.pdf", PDF)],
        submitted_by=bob.user,
    )
    return application


def test_an_evidence_id_under_another_application_is_404(world: World, people, bobs_case):
    bob_file = bobs_case.evidence.get()
    owner = page_client(people["owner"])
    # alice's case id with bob's file id, and the other way round
    assert (
        owner.get(f"/applications/{world.application.pk}/evidence/{bob_file.pk}/").status_code
        == 404
    )
    assert (
        owner.get(f"/applications/{bobs_case.pk}/evidence/{world.evidence.pk}/").status_code == 404
    )
    reviewer = page_client(people["reviewer"])
    url = f"/admin/relief/reliefapplication/{world.application.pk}/evidence/{bob_file.pk}/file/"
    assert reviewer.get(url).status_code == 404


def test_someone_elses_loan_in_a_body_is_refused_like_no_loan(world: World, people):
    response = api_client(people["owner"]).post(
        "/api/v1/relief-applications/",
        {"loan": world.bob_loan.pk, "reason": "accident"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_loan"
    missing = api_client(people["owner"]).post(
        "/api/v1/relief-applications/", {"loan": 10**9, "reason": "accident"}, format="json"
    )
    assert missing.json()["error"] == response.json()["error"]  # the same answer: no oracle


def test_a_borrower_cannot_act_on_someone_elses_case_by_id(world: World, people, bobs_case):
    owner = api_client(people["owner"])
    for action in ("withdraw", "accept", "decline", "answer"):
        response = owner.post(
            f"/api/v1/relief-applications/{bobs_case.pk}/{action}/", {"text": "x"}, format="json"
        )
        assert response.status_code == 404, action
    bobs_case.refresh_from_db()
    assert bobs_case.status == "submitted"


@pytest.mark.parametrize(
    ("target", "lands_on"),
    [
        ("/applications/", "/applications/"),
        ("https://evil.example/phish", "/notifications/"),
        ("//evil.example/phish", "/notifications/"),
        ("/\\evil.example", "/notifications/"),
        ("dashboard", "/notifications/"),  # a bare word was taken for a URL name: a 500
        ("no-such-url-name", "/notifications/"),
        ("javascript:alert(1)", "/notifications/"),
    ],
)
def test_the_return_address_after_reading_stays_on_this_site(
    target, lands_on, world: World, people
):
    response = page_client(people["owner"]).post(
        f"/notifications/{world.notification.pk}/read/", {"next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == lands_on


def test_a_loan_of_another_borrower_is_not_quoted_or_applied_for(world: World, people, today):
    other_loan = overdue_loan(world.bob_loan.borrower, today=today)
    owner = page_client(people["owner"])
    assert owner.get(f"/loans/{other_loan.pk}/quote/").status_code == 404
    response = owner.post(f"/loans/{other_loan.pk}/apply/", {"reason": "accident"})
    assert response.status_code == 404
    assert owner.get(f"/loans/{other_loan.pk}/options/").status_code == 404
    response = owner.post(
        f"/loans/{other_loan.pk}/options/", {"reason": "accident", "option": "plan:6"}
    )
    assert response.status_code == 404
    assert not other_loan.relief_applications.exists()
