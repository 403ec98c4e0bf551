"""Product names and DPD buckets in the borrower's language; staff edit both names."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from loans.models import LoanProduct
from tests.factories import UserFactory, overdue_loan

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def alice_client(client, alice, today):
    overdue_loan(alice, today=today, days=20)
    client.force_login(alice.user)
    return client


def test_a_chinese_reader_sees_the_products_chinese_name_and_the_bucket_in_words(alice_client):
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert "现金贷 18%" in page and "Cash loan 18%" not in page
    assert "逾期 1–30 天" in page
    assert ">M1<" not in page


def test_an_english_reader_sees_the_english_name_and_the_bucket_in_words(alice_client):
    page = alice_client.get(reverse("dashboard"), **ENGLISH).content.decode()
    assert "Cash loan 18%" in page and "现金贷" not in page
    assert "1–30 days overdue" in page


def test_the_loan_page_names_the_product_and_bucket_in_chinese(alice_client, alice):
    loan = alice.loans.get()
    page = alice_client.get(reverse("loan-detail", args=[loan.pk])).content.decode()
    assert "现金贷 18% · " in page
    assert "20 (逾期 1–30 天)" in page


def test_a_product_without_a_chinese_name_shows_its_english_name(alice_client):
    LoanProduct.objects.filter(code="CASH18").update(name_zh_hans="")
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert "Cash loan 18%" in page


def test_the_migration_gives_the_seeded_products_their_chinese_names():
    migration = importlib.import_module("loans.migrations.0005_product_name_in_chinese")
    LoanProduct.objects.create(code="CASH18", name="Cash loan 18%", annual_rate="0.18")
    LoanProduct.objects.create(code="CARD24", name="Card", annual_rate="0.24", name_zh_hans="卡")
    LoanProduct.objects.create(code="OTHER", name="Other loan", annual_rate="0.10")
    migration.fill_chinese_names(django_apps, None)
    names = dict(LoanProduct.objects.values_list("code", "name_zh_hans"))
    assert names == {"CASH18": "现金贷 18%", "CARD24": "卡", "OTHER": ""}


def test_an_admin_edits_both_names(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    product = LoanProduct.objects.create(code="NEW12", name="New loan", annual_rate="0.12")
    client.force_login(admin)
    url = reverse("admin:loans_loanproduct_change", args=[product.pk])
    form = client.get(url).content.decode()
    assert 'name="name"' in form and 'name="name_zh_hans"' in form
    data = {
        "code": "NEW12",
        "name": "New loan 12%",
        "name_zh_hans": "新贷款 12%",
        "annual_rate": "0.12",
        "penalty_markup": "0.50",
        "penalty_rate_cap": "0.24",
        "grace_days": "3",
        "day_count_basis": str(product.day_count_basis),
    }
    assert client.post(url, data).status_code == 302
    product.refresh_from_db()
    assert (product.name, product.name_zh_hans) == ("New loan 12%", "新贷款 12%")
