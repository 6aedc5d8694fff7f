import datetime
import hashlib

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.kyc.models import KycDocument
from tests.support.lending import verified_business
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def business(borrower):
    return verified_business(borrower)


def upload(client, data=PDF, name="pan.pdf", doc_type="PAN_CARD"):
    return client.post(
        "/api/v1/kyc/documents", {"file": SimpleUploadedFile(name, data), "doc_type": doc_type}, format="multipart"
    )


def test_upload_records_sha256_and_object_key_and_the_signed_link_expires(borrower_client, business, client):
    response = upload(borrower_client)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["size"] == len(PDF)
    document = KycDocument.objects.get(pk=body["id"])
    assert document.object_key.startswith(f"kyc/{business.pk}/") and document.object_key.endswith(".pdf")
    redirect = borrower_client.get(f"/api/v1/kyc/documents/{body['id']}/download")
    assert redirect.status_code == 302
    link = redirect["Location"]
    download = client.get(link)
    assert b"".join(download.streaming_content) == PDF
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        assert client.get(link).status_code == 404
    assert client.get(link[:-3] + "abc").status_code == 404


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"MZ\x90\x00 an exe renamed", "pan.pdf"), (b"plain text", "notes.txt"), (b"", "empty.pdf")],
)
def test_wrong_type_is_400(borrower_client, business, data, name):
    response = upload(borrower_client, data=data, name=name)
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert KycDocument.objects.count() == 0


def test_too_large_is_400(borrower_client, business, settings):
    from constance import config

    config.KYC_DOCUMENT_MAX_BYTES = 1024
    response = upload(borrower_client, data=PDF + b"0" * 2000)
    assert response.status_code == 400
    assert "larger" in response.json()["errors"]["file"][0]


def test_another_borrowers_document_is_404_and_staff_may_download(borrower_client, business, officer_client):
    document_id = upload(borrower_client).json()["id"]
    stranger = make_user()
    verified_business(stranger)
    assert client_for(stranger).get(f"/api/v1/kyc/documents/{document_id}/download").status_code == 404
    assert officer_client.get(f"/api/v1/kyc/documents/{document_id}/download").status_code == 302


def test_collaterals_list_and_create_for_own_business_only(borrower_client, business, officer_client):
    url = f"/api/v1/businesses/{business.pk}/collaterals"
    created = borrower_client.post(url, {"type": "GOLD", "description": "200 g", "value": "1200000.00"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["lien_status"] == "FREE"
    assert [c["type"] for c in borrower_client.get(url).json()] == ["GOLD"]
    assert officer_client.get(url).status_code == 200
    assert (
        officer_client.post(url, {"type": "PROPERTY", "description": "flat", "value": "1"}, format="json").status_code
        == 201
    )
    stranger = client_for(make_user())
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, {"type": "GOLD", "description": "x", "value": "1.00"}, format="json").status_code == 404
    bad = borrower_client.post(url, {"type": "SHARES", "description": "x", "value": "0"}, format="json")
    assert bad.status_code == 400
