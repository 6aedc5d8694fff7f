"""KYC document upload: type sniffed from the bytes (not the name), size-limited, hashed, stored
under `kyc/<business_id>/<uuid>.<ext>`."""

import hashlib
import uuid

from constance import config
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from apps.audit.services import record
from apps.core.errors import InvalidInput
from apps.kyc.models import Business, KycDocument

# Magic numbers of what we accept; the client's content type and file name are not trusted.
SIGNATURES = [
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
]


def sniff(head: bytes) -> tuple[str, str]:
    for magic, ext, content_type in SIGNATURES:
        if head.startswith(magic):
            return ext, content_type
    raise InvalidInput("Only PDF, PNG or JPEG files are accepted.", field="file")


@transaction.atomic
def document_upload(*, business: Business, doc_type: str, upload, actor) -> KycDocument:
    if doc_type not in KycDocument.DocType.values:
        raise InvalidInput(f"One of {', '.join(KycDocument.DocType.values)}.", field="doc_type")
    limit = int(config.KYC_DOCUMENT_MAX_BYTES)
    if upload.size == 0:
        raise InvalidInput("The file is empty.", field="file")
    if upload.size > limit:
        raise InvalidInput(f"The file is larger than {limit // (1024 * 1024)} MB.", field="file")
    data = upload.read()
    ext, content_type = sniff(data[:16])
    key = f"kyc/{business.pk}/{uuid.uuid4()}.{ext}"
    document = KycDocument.objects.create(
        business=business,
        doc_type=doc_type,
        object_key=key,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type=content_type,
        uploaded_by=actor,
    )
    stored = default_storage.save(key, ContentFile(data))
    if stored != key:  # a storage that renames would break the key we recorded
        raise RuntimeError(f"storage stored {key} as {stored}")
    record("kyc.document_uploaded", obj=document, after={"doc_type": doc_type, "sha256": document.sha256}, actor=actor)
    return document
