"""The admin in the reader's language: the case timeline's headers and statuses, durations."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from relief.admin.queue import duration_text
from tests.relief.helpers import submitted_application

pytestmark = pytest.mark.django_db


def timeline_of(page: str) -> str:
    """The case page's last table: the timeline."""
    return page[page.rindex("<table>") :]


@pytest.fixture
def case_page(client, reviewer):
    case = submitted_application(assign_to=reviewer)
    client.force_login(reviewer)
    return lambda **headers: client.get(
        reverse("admin:relief_reliefapplication_change", args=[case.pk]), **headers
    ).content.decode()


def test_the_case_timeline_reads_in_chinese(case_page):
    timeline = timeline_of(case_page())
    headers = re.findall(r"<th>(.*?)</th>", timeline)
    assert headers[2:4] == ["原状态", "新状态"]
    assert "<td>已提交</td>" in timeline and "<td>审核中</td>" in timeline
    assert ">submitted<" not in timeline and ">in_review<" not in timeline
    assert "开始日期" not in timeline


def test_the_case_timeline_reads_in_english(case_page):
    timeline = timeline_of(case_page(HTTP_ACCEPT_LANGUAGE="en"))
    assert re.findall(r"<th>(.*?)</th>", timeline)[2:4] == ["From", "To"]
    assert "<td>Submitted</td>" in timeline and "<td>In review</td>" in timeline


@pytest.mark.parametrize(
    ("language", "delta", "text"),
    [
        ("zh-hans", timedelta(days=1, hours=23), "1天23小时"),
        ("zh-hans", timedelta(hours=3, minutes=20), "3小时20分钟"),
        ("zh-hans", timedelta(minutes=12), "12分钟"),
        ("en", timedelta(days=1, hours=23), "1d 23h"),
    ],
)
def test_durations_read_in_the_readers_language(language, delta, text):
    with translation.override(language):
        assert duration_text(delta) == text


def test_the_queue_shows_time_left_in_chinese(client, reviewer):
    submitted_application(assign_to=reviewer)
    client.force_login(reviewer)
    page = client.get(reverse("admin:relief_reliefapplication_changelist")).content.decode()
    assert re.search(r"\d+小时\d+分钟", page) or re.search(r"\d+天\d+小时", page)
    assert not re.search(r">\d+d \d+h<|>\d+h \d+m<", page)
