"""Chinese by default, English on request; the catalogs are complete and compiled."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from loans.models import LoanProduct
from relief import services
from relief.models import ReliefApplication
from tests.factories import overdue_loan
from tests.relief.page_helpers import pdf

LOCALE = Path(settings.BASE_DIR) / "locale"


def catalog_entries(path: Path) -> list[dict]:
    """msgctxt, msgid, msgid_plural, msgstr (all forms) and flags of each entry of a .po file."""
    entries, current, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current and current["msgid"] is not None:
                entries.append(current)
            current, key = None, None
            continue
        current = current or {
            "msgid": None,
            "plural": None,
            "msgstr": {},
            "flags": "",
            "context": None,
        }
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif match := re.match(
            r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?) (\".*\")$", line
        ):
            name, index, text = match.groups()
            names = {"msgctxt": "context", "msgid": "msgid", "msgid_plural": "plural"}
            key = names.get(name, int(index or 0))
            if isinstance(key, int):
                current["msgstr"][key] = ast.literal_eval(text)
            else:
                current[key] = ast.literal_eval(text)
        elif line.startswith('"'):
            if isinstance(key, int):
                current["msgstr"][key] += ast.literal_eval(line)
            else:
                current[key] += ast.literal_eval(line)
    return [e for e in entries if e["msgid"]]


# --- the catalogs ---------------------------------------------------------------------------


def test_every_message_has_a_chinese_translation():
    entries = catalog_entries(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_the_compiled_catalog_matches_the_po_file(language):
    """The .mo files are committed (the app runs without gettext): they must be current."""
    directory = LOCALE / language / "LC_MESSAGES"
    with (directory / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    for entry in catalog_entries(directory / "django.po"):
        if not all(entry["msgstr"].values()):
            continue
        msgid = entry["msgid"]
        if entry["context"] is not None:  # gettext keys a message with context "context\x04id"
            msgid = f"{entry['context']}\x04{msgid}"
        if entry["plural"] is None:
            assert compiled.get(msgid) == entry["msgstr"][0], msgid
        else:
            assert compiled.get((entry["msgid"], 0)) == entry["msgstr"][0], entry["msgid"]


def test_service_errors_and_labels_are_translated():
    from relief import presentation
    from relief.services.evidence import TOO_MANY

    with translation.override("zh-hans"):
        assert str(TOO_MANY) == "每笔申请最多上传 10 个文件。"
        assert presentation.reason_label("serious_illness") == "重大疾病"
        assert (
            presentation.factor_label("base", 50, {"days_overdue": 20}) == "基础分 50：逾期 20 天"
        )
    with translation.override("en"):
        assert presentation.reason_label("serious_illness") == "Serious illness"


# --- the language of the pages --------------------------------------------------------------


@pytest.mark.django_db
def test_pages_are_in_chinese_by_default(client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    client.force_login(alice.user)
    body = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert "我的贷款" in body and "看看能减免多少罚息" in body
    quote = client.get(reverse("loan-quote", args=[loan.pk]), {"reason": "serious_illness"})
    assert "基础分 50：逾期 20 天" in quote.content.decode()


@pytest.mark.django_db
def test_the_language_switch_turns_the_pages_to_english_and_back(client, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    client.force_login(alice.user)
    quote_url = reverse("loan-quote", args=[loan.pk])
    response = client.post("/i18n/setlang/", {"language": "en", "next": quote_url})
    assert response.status_code == 302 and response["Location"] == quote_url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = client.get(quote_url, {"reason": "serious_illness"}).content.decode()
    assert '<html lang="en">' in body
    assert "Your estimate" in body and "Base 50: 20 days overdue" in body
    assert "My loans" in client.get("/").content.decode()

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "我的贷款" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_switch_is_on_every_page_and_offers_the_other_language(client, alice):
    client.force_login(alice.user)
    body = client.get(reverse("notification-list")).content.decode()
    assert 'action="/i18n/setlang/"' in body
    assert 'name="language" value="en"' in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("notification-list")).content.decode()
    assert 'name="language" value="zh-hans"' in body


ALLOWED_LATIN = {"PDF", "JPEG", "PNG"}


def latin_words(html: str) -> set[str]:
    """Words of four or more Latin letters in the visible text of <main>, addresses (the
    satisfaction question's link in a message) left out."""
    main = html.split("<main>")[1].split("</main>")[0]
    text = re.sub(r"https?://\S+", " ", re.sub(r"<[^>]+>", " ", main))
    return {word for word in re.findall(r"[A-Za-z]{4,}", text) if word not in ALLOWED_LATIN}


@pytest.mark.django_db
def test_no_english_is_left_on_the_borrower_pages_in_chinese(
    client, alice, reviewer, today, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    loan = overdue_loan(alice, today=today, days=20)
    other = overdue_loan(alice, today=today, days=20)
    LoanProduct.objects.update(name="现金贷")  # product names are data, not interface text
    with translation.override("zh-hans"):
        application = services.relief_application_submit(
            loan=loan,
            reason="serious_illness",
            description="我住院了。",
            uploads=[pdf("诊断证明.pdf")],
            submitted_by=alice.user,
        )
    services.relief_application_triage(application_id=application.pk)
    services.relief_application_approve(
        application_id=application.pk, reviewer=reviewer, percent=80
    )
    client.force_login(alice.user)
    pages = [
        "/",
        reverse("loan-detail", args=[loan.pk]),
        reverse("loan-detail", args=[other.pk]),
        reverse("loan-quote", args=[other.pk]) + "?reason=accident",
        reverse("loan-quote", args=[loan.pk]),
        reverse("loan-apply", args=[other.pk]),
        reverse("application-list"),
        reverse("application-detail", args=[application.pk]),
        reverse("notification-list"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert latin_words(response.content.decode()) == set(), url
    assert ReliefApplication.objects.get(pk=application.pk).status == "approved"


@pytest.mark.django_db
def test_no_english_is_left_on_the_arrangement_pages_in_chinese(client, alice, reviewer, today):
    from tests.relief.arrangement_flows import accepted, apply, approved, plan

    options_loan = overdue_loan(alice, today=today, days=20)
    offered = overdue_loan(alice, today=today, days=20)
    started = overdue_loan(alice, today=today, days=20)
    LoanProduct.objects.update(name="现金贷")
    with translation.override("zh-hans"):
        offer = approved(apply(offered, arrangement=plan(6)), arrangement=plan(12))
        running = accepted(approved(apply(started, arrangement=plan(6))))
    client.force_login(alice.user)
    options = reverse("loan-options", args=[options_loan.pk])
    pages = [
        options,
        options + "?reason=serious_illness&monthly_income=5000",
        options + "?reason=accident&monthly_income=5000&relief=no",
        reverse("application-detail", args=[offer.pk]),
        reverse("application-detail", args=[running.pk]),
        reverse("loan-detail", args=[started.pk]),
        reverse("application-list"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert latin_words(response.content.decode()) == set(), url
