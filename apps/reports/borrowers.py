"""Finding a borrower, and everything about one on one page (the borrower 360).

Every lookup is an indexed equality or prefix: a phone through the unique index on users, a
GSTIN through the unique index on businesses, a PAN through its index, a loan or application
reference through theirs, a name by prefix on UPPER(legal_name) (ix_business_name_upper). Each
section of the 360 is bounded (the newest SECTION rows, linked to the full filtered list)."""

import re

from django.db.models import Q
from django.db.models.functions import Upper

from apps.accounts.phone import normalize_indian_mobile
from apps.audit.models import AuditLog
from apps.collections.models import Notification
from apps.invoices.models import Invoice
from apps.kyc.models import Business
from apps.loans.models import Loan, Offer
from apps.repayments.models import Bounce, Repayment
from apps.risk.selectors import credit_score_latest

SECTION = 20
FOUND = 25
GSTIN = re.compile(r"^\d{2}[A-Z]{5}\d{4}[A-Z][0-9A-Z]Z[0-9A-Z]$")
PAN = re.compile(r"^[A-Z]{5}\d{4}[A-Z]$")
REFERENCE = re.compile(r"^(LN|AP)-\d{4}-\d{6,}$")


def borrower_search(term: str) -> dict:
    """{"kind": what the term was read as, "businesses": [...], "loan": the loan a loan reference
    named (or None)}. Empty for a blank term."""
    term = (term or "").strip()
    if not term:
        return {"kind": None, "businesses": [], "loan": None}
    upper = term.upper()
    base = Business.objects.select_related("owner")
    if REFERENCE.match(upper):
        model = Loan if upper.startswith("LN-") else Invoice
        row = model.objects.filter(reference=upper).select_related("business__owner").first()
        businesses = [row.business] if row else []
        return {"kind": "reference", "businesses": businesses, "loan": row if model is Loan else None}
    if GSTIN.match(upper):
        return {"kind": "GSTIN", "businesses": list(base.filter(gstin=upper)), "loan": None}
    if PAN.match(upper):
        return {"kind": "PAN", "businesses": list(base.filter(pan=upper)[:FOUND]), "loan": None}
    phone = normalize_indian_mobile(term) if re.fullmatch(r"[+\d\s-]{10,16}", term) else None
    if phone:
        return {"kind": "phone", "businesses": list(base.filter(owner__phone=phone)), "loan": None}
    by_name = base.annotate(upper_name=Upper("legal_name")).filter(upper_name__startswith=upper)
    return {"kind": "name", "businesses": list(by_name.order_by("legal_name")[:FOUND]), "loan": None}


def borrower_360(business: Business) -> dict:
    """What ops need about one borrower, each section its newest SECTION rows."""
    loans = list(Loan.objects.filter(business=business).order_by("-created_at")[:SECTION])
    loan_ids = [loan.pk for loan in loans]
    objects = Q(object_type="kyc.business", object_id=str(business.pk)) | Q(
        object_type="loans.loan", object_id__in=[str(pk) for pk in loan_ids]
    )
    return {
        "business": business,
        "score": credit_score_latest(business=business),
        "checks": list(business.checks.order_by("-created_at")[:SECTION]),
        "documents": list(business.documents.order_by("-created_at")[:SECTION]),
        "invoices": list(Invoice.objects.filter(business=business).order_by("-created_at")[:SECTION]),
        "offers": list(
            Offer.objects.filter(invoice__business=business).select_related("invoice").order_by("-created_at")[:SECTION]
        ),
        "loans": loans,
        "repayments": list(
            Repayment.objects.filter(loan_id__in=loan_ids).select_related("loan").order_by("-created_at")[:SECTION]
        ),
        "bounces": list(
            Bounce.objects.filter(loan_id__in=loan_ids)
            .select_related("loan", "installment", "return_code")
            .order_by("-created_at")[:SECTION]
        ),
        "reminders": list(
            Notification.objects.filter(loan_id__in=loan_ids).select_related("loan").order_by("-created_at")[:SECTION]
        ),
        "audit": list(AuditLog.objects.filter(objects).select_related("actor").order_by("-at")[:SECTION]),
    }
