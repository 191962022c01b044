"""Uploaded files: their type is read from their bytes, never from what the browser or client declared."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from organisatrice.documents.filenames import extensions_for
from organisatrice.emails.composer.attachments import UPLOAD_TYPES, draft_attachment_upload
from organisatrice.emails.composer.drafts import email_draft_create
from organisatrice.emails.composer.errors import DraftInvalid
from organisatrice.emails.composer.sending import email_send
from organisatrice.emails.models import DraftAttachment, EmailTemplate
from tests.documents.bombs import png_bomb
from tests.factories import ContactFactory, OrderFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03" + b"\x00" * 200


@pytest.fixture
def draft(company):
    order = OrderFactory()
    return email_draft_create(
        order=order,
        author=order.responsible,
        template=EmailTemplate.objects.get(type__code="free", language="fr", is_default=True),
        contact=ContactFactory(client=order.client, email="a.favre@gerance.ch"),
    )


def upload(draft, name: str, content: bytes, declared: str = "application/octet-stream") -> DraftAttachment:
    return draft_attachment_upload(
        draft=draft, employee=draft.author, upload=SimpleUploadedFile(name, content, content_type=declared)
    )


def image(fmt: str, size: tuple[int, int] = (8, 8)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, "green").save(output, fmt)
    return output.getvalue()


def zipped(*members: tuple[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return output.getvalue()


DOCX = zipped(("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>"))
ODT = zipped(("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<office/>"))


@pytest.mark.parametrize(
    ("name", "content", "content_type", "filename"),
    [
        ("plan.pdf", PDF_BYTES, "application/pdf", "plan.pdf"),
        ("photo.jpg", image("JPEG"), "image/jpeg", "photo.jpg"),
        ("schéma.png", image("PNG"), "image/png", "schéma.png"),
        ("anim.gif", image("GIF"), "image/gif", "anim.gif"),
        ("vue.webp", image("WEBP"), "image/webp", "vue.webp"),
        ("scan.tif", image("TIFF"), "image/tiff", "scan.tif"),
        ("notes.txt", "Notes de chantier : pompe changée.\n".encode(), "text/plain", "notes.txt"),
        ("heures.csv", "date;heures\n20.11.2026;7,5\n".encode("cp1252"), "text/csv", "heures.csv"),
        ("offre.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "offre.docx"),
        ("offre.odt", ODT, "application/vnd.oasis.opendocument.text", "offre.odt"),
        ("photos.zip", zipped(("a.jpg", image("JPEG"))), "application/zip", "photos.zip"),
    ],
)
def test_an_accepted_file_gets_the_type_its_bytes_say(draft, name, content, content_type, filename):
    attachment = upload(draft, name, content, declared="multipart/mixed")
    assert (attachment.content_type, attachment.filename) == (content_type, filename)


def test_the_declared_type_never_reaches_the_attachment_nor_the_message(draft, smtp_settings):
    # A browser or an API client may declare anything: a multipart type broke the MIME tree,
    # a long one overflowed the column.
    first = upload(draft, "plan", PDF_BYTES, declared="multipart/mixed; boundary=x")
    second = upload(draft, "plan 2", PDF_BYTES, declared="application/" + "x" * 150)

    assert first.content_type == second.content_type == "application/pdf"
    assert (first.filename, second.filename) == ("plan.pdf", "plan 2.pdf")
    email = email_send(draft=draft, employee=draft.author)
    assert [a.content_type for a in email.attachments.all()] == ["application/pdf", "application/pdf"]


def test_a_file_whose_name_lies_about_its_content_is_named_after_its_content(draft):
    assert upload(draft, "photo.pdf", image("PNG"), declared="application/pdf").filename == "photo.png"
    # A ZIP is an Office document only when it has the insides of one.
    assert upload(draft, "offre.docx", zipped(("a.txt", b"x"))).filename == "offre.zip"
    # Text is text: a script's extension does not stay.
    assert upload(draft, "lancer.bat", b"del C:\\*\r\n").filename == "lancer.txt"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("facture.pdf", EXE_BYTES),
        ("page.html", b"<!DOCTYPE html><html><body><script>x()</script></body></html>"),
        ("message.eml", b"From: a@b.ch\r\nTo: c@d.ch\r\nSubject: x\r\n\r\nbody\r\n"),
        ("données.bin", bytes(range(256)) * 4),
        ("installer.msi", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504),
    ],
)
def test_a_file_of_another_type_is_refused_with_the_accepted_ones(draft, name, content):
    with pytest.raises(DraftInvalid) as refused:
        upload(draft, name, content, declared="application/pdf")
    message = " ".join(refused.value.errors["attachments"])
    assert "n'est pas d'un type accepté" in message and "PDF" in message
    assert not draft.attachments.filter(source=DraftAttachment.Source.UPLOAD).exists()


def test_an_empty_file_is_refused(draft):
    with pytest.raises(DraftInvalid, match="vide"):
        upload(draft, "vide.pdf", b"")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_an_image_of_too_many_pixels_is_refused_from_its_header(draft):
    # 164 KB on disk, 169 megapixels decoded: a preview of it took 1.1 GB.
    with pytest.raises(DraftInvalid) as refused:
        upload(draft, "plan.png", png_bomb(), declared="image/png")
    # Past twice Pillow's MAX_IMAGE_PIXELS (documents/apps.py) even the header is refused: no dimensions then.
    assert "trop de pixels" in str(refused.value) and "40 mégapixels" in str(refused.value)
    assert not draft.attachments.filter(source=DraftAttachment.Source.UPLOAD).exists()


def test_a_damaged_image_is_refused(draft):
    with pytest.raises(DraftInvalid, match="illisible"):
        upload(draft, "photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)


def test_the_composer_page_shows_the_refusal(client, draft):
    client.force_login(draft.author.user)
    response = client.post(
        reverse("emails:draft_upload", args=[draft.pk]),
        {"upload": SimpleUploadedFile("facture.pdf", EXE_BYTES, content_type="application/pdf")},
    )
    assert response.status_code == 400
    assert "pas d&#x27;un type accepté" in response.content.decode()


def test_every_accepted_type_keeps_the_extension_it_is_given():
    # The file name is made to agree with the type, also by filename_clean afterwards.
    for upload_type in UPLOAD_TYPES:
        allowed = extensions_for(upload_type.content_type)
        assert not allowed or upload_type.extensions[0] in allowed, upload_type
