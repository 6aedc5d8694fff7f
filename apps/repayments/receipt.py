"""The receipt of one repayment, as a PDF: the loan, the installment, how the money was split
(penalty, interest, principal), the bank reference and the date. Built from plain values and
byte-for-byte reproducible, so its sha256 identifies it and a lost file is rebuilt the same."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from apps.core.pdf import LENDER_NAME, pdf_document, pdf_money


@dataclass(frozen=True)
class ReceiptTerms:
    receipt_number: str
    loan_reference: str
    business_name: str
    gstin: str
    installment_number: int | None
    business_date: datetime.date
    amount: Decimal
    penalty: Decimal
    interest: Decimal
    principal: Decimal
    channel: str
    reference: str
    outstanding_after: Decimal


def build_receipt_pdf(terms: ReceiptTerms) -> bytes:
    pdf = pdf_document(f"Receipt {terms.receipt_number}", "Payment receipt", dated=terms.business_date)
    pdf.multi_cell(
        0,
        5,
        f"{LENDER_NAME} acknowledges receipt of {pdf_money(terms.amount)} from {terms.business_name} "
        f"(GSTIN {terms.gstin}) towards loan {terms.loan_reference}.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    rows = [
        ("Receipt number", terms.receipt_number),
        ("Date", f"{terms.business_date:%d %b %Y}"),
        ("Loan", terms.loan_reference),
        ("Installment", str(terms.installment_number) if terms.installment_number else "the loan"),
        ("Paid by", terms.channel),
        ("Bank reference (UTR)", terms.reference or "-"),
        ("Amount received", pdf_money(terms.amount)),
        ("  towards charges", pdf_money(terms.penalty)),
        ("  towards interest", pdf_money(terms.interest)),
        ("  towards principal", pdf_money(terms.principal)),
        ("Principal outstanding after", pdf_money(terms.outstanding_after)),
    ]
    for label, value in rows:
        pdf.cell(55, 6, label, border=1)
        pdf.cell(0, 6, value, border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=7)
    pdf.multi_cell(0, 4, "A computer-generated receipt; it needs no signature.")
    return bytes(pdf.output())
