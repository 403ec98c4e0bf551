"""Bad input on the pages: Hypothesis sends the forms' fields (and strangers) with any text, any
length, control and NUL characters; no answer is a server error.

The API has its own fuzzing (tests/api/test_schema_fuzz.py, Schemathesis over the OpenAPI
schema); this covers the HTML forms and query strings the schema does not describe. Examples
are bounded and derandomized, so the run is short and repeatable.
"""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from relief.models import HardshipReason
from tests.relief.page_helpers import needs_info
from tests.security.conftest import World, page_client

pytestmark = pytest.mark.django_db

FUZZ = hypothesis_settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text of any kind: control characters, NUL, right-to-left marks, emoji, long runs.
ANY_TEXT = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
    st.sampled_from(["", " ", "\x00", "%00", "../../etc/passwd", "' OR 1=1 --", "<script>"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.builds(lambda n: "9" * n, st.integers(min_value=1, max_value=5000)),
)
DATES = st.one_of(
    ANY_TEXT,
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2025-02-30", "0000-01-01", "9999-12-31", "2025-1-1", "20250101"]),
)
REASONS = st.one_of(st.sampled_from(HardshipReason.values), ANY_TEXT)
EXTRA = st.dictionaries(st.text(min_size=1, max_size=20), ANY_TEXT, max_size=3)


def fields(**strategies) -> st.SearchStrategy[dict]:
    """Each named field either left out or given a value, plus unknown fields."""
    optional = {name: st.one_of(st.none(), strategy) for name, strategy in strategies.items()}
    return st.builds(
        lambda values, extra: {**extra, **{k: v for k, v in values.items() if v is not None}},
        st.fixed_dictionaries(optional),
        EXTRA,
    )


def no_server_error(response) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:500])


def test_the_apply_form(world: World, people):
    client = page_client(people["owner"])
    url = f"/loans/{world.free_loan.pk}/apply/"

    @FUZZ
    @given(fields(reason=REASONS, description=ANY_TEXT, token=ANY_TEXT))
    def post(data):
        no_server_error(client.post(url, data))

    post()


def test_the_answer_form(world: World, people, reviewer, today):
    from tests.factories import overdue_loan

    owner = people["owner"].borrower
    application = needs_info(owner, overdue_loan(owner, today=today), reviewer)
    client = page_client(people["owner"])

    @FUZZ
    @given(
        st.sampled_from(["answer", "withdraw", "accept", "decline", "nope"]),
        fields(version=st.one_of(ANY_TEXT, st.integers().map(str)), text=ANY_TEXT),
    )
    def post(action, data):
        no_server_error(client.post(f"/applications/{application.pk}/{action}/", data))

    post()


def test_the_quote_parameters(world: World, people):
    client = page_client(people["owner"])
    url = f"/loans/{world.free_loan.pk}/quote/"

    @FUZZ
    @given(fields(reason=REASONS))
    def get(params):
        no_server_error(client.get(url, params))

    get()


def test_the_login_form(world: World):
    from django.test import Client

    @FUZZ
    @given(
        fields(
            username=st.one_of(st.sampled_from(["alice", "reviewer"]), ANY_TEXT),
            password=ANY_TEXT,
            next=ANY_TEXT,
        )
    )
    def post(data):
        no_server_error(Client(raise_request_exception=False).post("/accounts/login/", data))
        admin = Client(raise_request_exception=False).post("/admin/login/", data)
        no_server_error(admin)

    post()


def test_the_api_token_body(world: World, settings):
    from rest_framework.test import APIClient

    # The sign-in throttle (10 a minute) would answer most examples before the input is read.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": "100000/min", "applications": "100000/min"},
    }
    client = APIClient(raise_request_exception=False)

    @FUZZ
    @given(fields(username=ANY_TEXT, password=ANY_TEXT))
    def post(data):
        no_server_error(client.post("/api/v1/auth/token/", data, format="json"))

    post()


def test_reading_notifications(world: World, people):
    client = page_client(people["owner"])

    @FUZZ
    @given(
        st.sampled_from(
            [f"/notifications/{world.notification.pk}/read/", "/notifications/read-all/"]
        ),
        fields(next=ANY_TEXT),
        st.one_of(ANY_TEXT, st.integers(min_value=-5, max_value=10**6).map(str)),
    )
    def post(url, data, page):
        no_server_error(client.post(url, data))
        no_server_error(client.get("/notifications/", {"page": page}))

    post()


def test_the_ops_dashboard_and_export_filters(world: World, people):
    client = page_client(people["ops"])

    @FUZZ
    @given(
        fields(
            **{"from": DATES, "to": DATES},
            product=st.one_of(st.sampled_from(["CASH18", "CARD24"]), ANY_TEXT),
        ),
        fields(report=st.one_of(st.sampled_from(["applications", "reviewers"]), ANY_TEXT)),
        st.sampled_from(["csv", "xlsx", "json", "", "exe"]),
    )
    def send(filters, report, export_format):
        no_server_error(client.get("/ops/", filters))
        no_server_error(
            client.post("/ops/exports/", {**filters, **report, "format": export_format})
        )

    send()


def test_the_language_switch(world: World):
    from django.test import Client

    @FUZZ
    @given(fields(language=st.one_of(st.sampled_from(["en", "zh-hans"]), ANY_TEXT), next=ANY_TEXT))
    def post(data):
        no_server_error(Client(raise_request_exception=False).post("/i18n/setlang/", data))

    post()


def test_the_settings_form(world: World, people):
    client = page_client(people["owner"])

    @FUZZ
    @given(
        fields(
            language=st.one_of(st.sampled_from(["zh-hans", "en"]), ANY_TEXT),
            channel=st.one_of(st.sampled_from(["sms", "email"]), ANY_TEXT),
            outreach=ANY_TEXT,
        )
    )
    def post(data):
        no_server_error(client.post("/settings/", data))

    post()


def test_the_satisfaction_form_and_the_articles_topic(world: World, people, reviewer, today):
    from tests.factories import overdue_loan
    from tests.relief.page_helpers import approved

    owner = people["owner"].borrower
    application = approved(owner, overdue_loan(owner, today=today), reviewer)
    client = page_client(people["owner"])

    @FUZZ
    @given(
        fields(
            score=st.one_of(st.integers(min_value=-10, max_value=10).map(str), ANY_TEXT),
            comment=ANY_TEXT,
        ),
        ANY_TEXT,
    )
    def post(data, tag):
        no_server_error(client.post(f"/applications/{application.pk}/satisfaction/", data))
        no_server_error(client.get("/learn/", {"tag": tag}))

    post()
