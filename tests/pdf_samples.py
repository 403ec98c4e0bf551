"""Real PDF files for the tests: a plain one-page scan, and the same with one construct that a
viewer would act on, built with pikepdf or written by hand (for a name escape that a library
would normalise away)."""

import io

import pikepdf


def save(pdf: pikepdf.Pdf, *, object_streams: bool = False) -> bytes:
    buffer = io.BytesIO()
    mode = pikepdf.ObjectStreamMode.generate if object_streams else pikepdf.ObjectStreamMode.disable
    pdf.save(buffer, object_stream_mode=mode, compress_streams=True, deterministic_id=True)
    return buffer.getvalue()


def scan_pdf(*, object_streams: bool = False, change=None) -> bytes:
    """A one-page PDF with a line of text; `change(pdf)` adds something to it first."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont="/Helvetica"
        )
    )
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 770 Td (Certificate of admission) Tj ET")
    if change is not None:
        change(pdf)
    return save(pdf, object_streams=object_streams)


def handmade_pdf(*objects: bytes) -> bytes:
    """A PDF written byte by byte: `objects` are the bodies of objects 1, 2, … (1 is the
    catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


PAGES = (
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
)
SCAN_PDF = scan_pdf()
