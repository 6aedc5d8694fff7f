"""The loan agreement PDF with its Key Fact Statement (RBI KFS: principal, rate, APR, fees, EMI,
schedule, charges). Built from plain values so it is testable without a database; the PDF is
byte-for-byte reproducible for the same terms, so its sha256 identifies the agreement.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, localcontext

from apps.core.money import ZERO
from apps.core.pdf import LENDER_NAME, pdf_document, pdf_money
from apps.loans.schedule import ScheduleLine


@dataclass(frozen=True)
class ContractTerms:
    loan_reference: str
    borrower_name: str
    business_name: str
    gstin: str
    invoice_number: str
    product_name: str
    principal: Decimal
    annual_rate: Decimal
    tenure_months: int
    emi: Decimal
    processing_fee: Decimal
    fee_gst: Decimal
    disbursed_amount: Decimal
    sanctioned_on: datetime.date
    bounce_charge: Decimal
    penal_rate_pct: Decimal
    offer_type: str
    schedule: tuple[ScheduleLine, ...]


def annual_percentage_rate(net_disbursed: Decimal, installments: list[Decimal]) -> Decimal:
    """APR as in RBI's KFS illustration: the monthly IRR of the borrower's cash flows x 12, in %.

    Solved by bisection on the monthly rate, in Decimal, to 1e-10.
    """
    with localcontext() as ctx:
        ctx.prec = 40

        def present_value(rate: Decimal) -> Decimal:
            factor, total = Decimal(1), Decimal(0)
            for amount in installments:
                factor /= 1 + rate
                total += amount * factor
            return total

        low, high = Decimal(0), Decimal(1)
        if present_value(low) <= net_disbursed:
            return Decimal("0.00")
        for _ in range(200):
            mid = (low + high) / 2
            if present_value(mid) > net_disbursed:
                low = mid
            else:
                high = mid
            if high - low < Decimal("1e-12"):
                break
        return (low * 1200).quantize(Decimal("0.01"))


def build_contract_pdf(terms: ContractTerms) -> bytes:
    apr = annual_percentage_rate(terms.disbursed_amount, [line.amount for line in terms.schedule])
    pdf = pdf_document(
        f"Loan agreement {terms.loan_reference}",
        "Loan Agreement and Key Fact Statement",
        dated=terms.sanctioned_on,
        sizes=(15, 10, 10),
    )
    pdf.multi_cell(
        0,
        5,
        f"This agreement is made on {terms.sanctioned_on:%d %B %Y} between {LENDER_NAME} (the Lender) and "
        f"{terms.business_name} (GSTIN {terms.gstin}), represented by {terms.borrower_name} (the Borrower), "
        f"for the financing of GST invoice {terms.invoice_number}. Loan reference {terms.loan_reference}.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "Key Fact Statement", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    facts = [
        ("Product", f"{terms.product_name} ({terms.offer_type.lower()})"),
        ("Loan amount (principal)", pdf_money(terms.principal)),
        ("Interest rate (annual, reducing balance)", f"{terms.annual_rate:.2f} %"),
        ("Annual Percentage Rate (APR)", f"{apr:.2f} %"),
        ("Tenure", f"{terms.tenure_months} months"),
        ("Equated monthly installment (EMI)", pdf_money(terms.emi)),
        ("Processing fee", pdf_money(terms.processing_fee)),
        ("GST on processing fee", pdf_money(terms.fee_gst)),
        ("Net amount disbursed", pdf_money(terms.disbursed_amount)),
        ("Total interest payable", pdf_money(sum((line.interest for line in terms.schedule), ZERO))),
        ("Bounce charge (per dishonoured installment, plus GST)", pdf_money(terms.bounce_charge)),
        (
            "Penal charge on an overdue EMI (daily, simple, no GST)",
            f"{terms.penal_rate_pct:.2f} % a year / 365 a day",
        ),
    ]
    for label, value in facts:
        pdf.cell(110, 6, label, border=1)
        pdf.cell(0, 6, value, border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "Repayment schedule", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 9)
    widths = (12, 30, 36, 36, 36, 36)
    for width, head in zip(
        widths, ("No.", "Due date", "Installment", "Principal", "Interest", "Balance after"), strict=True
    ):
        pdf.cell(width, 6, head, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for line in terms.schedule:
        row = (
            str(line.number),
            line.due_date.isoformat(),
            f"{line.amount:,.2f}",
            f"{line.principal:,.2f}",
            f"{line.interest:,.2f}",
            f"{line.closing_principal:,.2f}",
        )
        for width, text in zip(widths, row, strict=True):
            pdf.cell(width, 6, text, border=1)
        pdf.ln()
    pdf.ln(4)
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(
        0,
        4.5,
        "Installments are collected by NACH mandate on the due dates above. Payments are applied to charges, then "
        "interest, then principal. Accounts are classified under the RBI's norms: SMA-0 (1-30 days past due), SMA-1 "
        "(31-60), SMA-2 (61-90) and NPA (over 90 days). The Borrower may prepay or foreclose at any time; the "
        "foreclosure amount is the outstanding principal, interest to date and unpaid charges.",
    )
    return bytes(pdf.output())
