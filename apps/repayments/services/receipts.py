"""A repayment's receipt and a loan's statement of account: built on request, kept under their
object keys, served by a short-lived signed link (the same way as the loan agreement)."""

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Sum

from apps.core.storage_urls import signed_url
from apps.repayments.models import Repayment
from apps.repayments.receipt import ReceiptTerms, build_receipt_pdf
from apps.repayments.statement_pdf import build_statement_pdf

RECEIPT_LINK_TTL = datetime.timedelta(minutes=10)


def receipt_key(repayment: Repayment) -> str:
    return f"receipts/{repayment.loan_id}/{repayment.pk}.pdf"


def receipt_terms(repayment: Repayment) -> ReceiptTerms:
    loan = repayment.loan
    # Principal outstanding after this repayment: the loan's principal less every principal paid
    # up to and including it (by creation order), so the receipt reads the same whenever built.
    paid = (
        Repayment.objects.filter(loan=loan, created_at__lte=repayment.created_at).aggregate(p=Sum("principal"))["p"]
        or 0
    )
    return ReceiptTerms(
        receipt_number=f"RC-{str(repayment.pk)[:8].upper()}",
        loan_reference=loan.reference,
        business_name=loan.business.legal_name,
        gstin=loan.business.gstin,
        installment_number=repayment.installment.number if repayment.installment_id else None,
        business_date=repayment.business_date,
        amount=repayment.amount,
        penalty=repayment.penalty,
        interest=repayment.interest,
        principal=repayment.principal,
        channel=repayment.channel,
        reference=repayment.external_reference,
        outstanding_after=loan.principal - paid,
    )


def receipt_link(repayment: Repayment) -> dict:
    pdf = build_receipt_pdf(receipt_terms(repayment))
    key = receipt_key(repayment)
    if not default_storage.exists(key):
        default_storage.save(key, ContentFile(pdf))
    url, expires_at = signed_url(key, ttl=RECEIPT_LINK_TTL)
    return {"url": url, "expires_at": expires_at, "sha256": hashlib.sha256(pdf).hexdigest()}


def statement_link(statement) -> dict:
    """The statement of account as a PDF behind a signed link: kept under a key naming its
    content, so the same statement is stored once and a later one never overwrites it."""
    pdf = build_statement_pdf(statement)
    digest = hashlib.sha256(pdf).hexdigest()
    key = f"statements/{statement.loan.pk}/{statement.date_from}_{statement.date_to}_{digest[:16]}.pdf"
    if not default_storage.exists(key):
        default_storage.save(key, ContentFile(pdf))
    url, expires_at = signed_url(key, ttl=RECEIPT_LINK_TTL)
    return {"url": url, "expires_at": expires_at, "sha256": digest}
