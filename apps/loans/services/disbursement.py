"""Disbursement: the schedule, the books and the contract, once the money has left the bank."""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from apps.audit.services import record
from apps.core.business_date import get_business_date
from apps.ledger import chart
from apps.ledger.services import Line, journal_post, on_loan, source_of
from apps.loans.contract import build_contract_pdf
from apps.loans.models import Installment, Loan
from apps.loans.schedule import build_schedule
from apps.loans.selectors import contract_terms
from apps.loans.services.events import loan_event


def _create_schedule(loan: Loan) -> list[Installment]:
    lines = build_schedule(
        loan.interest_method, loan.principal, loan.annual_rate, loan.tenure_months, loan.disbursed_on
    )
    return Installment.objects.bulk_create(
        Installment(
            loan=loan,
            number=line.number,
            due_date=line.due_date,
            principal_due=line.principal,
            interest_due=line.interest,
        )
        for line in lines
    )


def _post_disbursement(loan: Loan, *, actor) -> None:
    common = on_loan(loan)
    lines = [
        Line(chart.LOAN_PRINCIPAL, debit=loan.principal, **common),
        Line(chart.BANK_DISBURSEMENT, credit=loan.disbursed_amount, **common),
    ]
    if loan.processing_fee:
        lines.append(Line(chart.PROCESSING_FEE_INCOME, credit=loan.processing_fee, **common))
    if loan.fee_gst:
        lines.append(Line(chart.GST_PAYABLE, credit=loan.fee_gst, **common))
    journal_post(
        entry_type="DISBURSEMENT",
        lines=lines,
        idempotency_key=f"loan:{loan.pk}:disbursement",
        business_date=loan.disbursed_on,
        memo=f"Disbursement of loan {loan.pk}, fee and GST deducted",
        loan_id=loan.pk,
        **source_of(loan),
        actor=actor,
    )


def contract_key(loan: Loan) -> str:
    return f"contracts/{loan.pk}.pdf"


def loan_contract_write(*, loan: Loan, pdf: bytes | None = None) -> None:
    """Write the agreement under its object key: `pdf` when the caller just built it, else built
    here. The PDF is reproducible, so this is also how a lost file is restored: the same terms
    give the same bytes and the same sha256."""
    pdf = pdf if pdf is not None else build_contract_pdf(contract_terms(loan))
    if default_storage.exists(loan.contract_key):
        default_storage.delete(loan.contract_key)
    default_storage.save(loan.contract_key, ContentFile(pdf))


def loan_disburse(*, loan: Loan, utr: str, actor) -> Loan:
    """The money has left the bank: the loan goes ACTIVE with its schedule, its books and its
    contract. The caller holds the loan's lock and the transaction."""
    before = {"status": loan.status}
    loan.disburse(on=get_business_date(), utr=utr)
    loan.save()
    _create_schedule(loan)
    _post_disbursement(loan, actor=actor)
    pdf = build_contract_pdf(contract_terms(loan))
    loan.contract_key = contract_key(loan)
    loan.contract_sha256 = hashlib.sha256(pdf).hexdigest()
    loan.save(update_fields=["contract_key", "contract_sha256", "updated_at"])
    # Files are not transactional: write the PDF (built once, above) only once the loan really exists.
    transaction.on_commit(lambda: loan_contract_write(loan=loan, pdf=pdf))
    record(
        "loan.disbursed",
        obj=loan,
        before=before,
        after={"status": loan.status, "disbursed_amount": str(loan.disbursed_amount), "utr": utr},
        actor=actor,
    )
    loan_event("loan.disbursed", loan, day=loan.disbursed_on, disbursed_amount=str(loan.disbursed_amount), utr=utr)
    return loan
