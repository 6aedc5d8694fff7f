"""The statement of account as a PDF (fpdf2, as the receipt and the loan agreement)."""

from apps.core.pdf import pdf_document, pdf_money


def _text(value) -> str:
    """The core fonts hold Latin-1 only: a name in another script (or a dash) would refuse to
    print, so what they cannot show becomes "?" rather than a 500."""
    return str(value).encode("latin-1", "replace").decode("latin-1")


def _money(value) -> str:
    return pdf_money(value) if value else ""  # a blank cell, not "Rs. 0.00"


def build_statement_pdf(statement) -> bytes:
    loan = statement.loan
    pdf = pdf_document(f"Statement of account {loan.reference}", "Statement of account")
    pdf.multi_cell(
        0,
        5,
        _text(f"Loan {loan.reference} of {loan.business.legal_name} (GSTIN {loan.business.gstin}), ")
        + f"{statement.date_from:%d %b %Y} to {statement.date_to:%d %b %Y}.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    widths = (24, 86, 26, 26, 28)
    pdf.set_font("Helvetica", "B", 8)
    for width, title in zip(widths, ("Date", "Description", "Debit", "Credit", "Balance"), strict=True):
        pdf.cell(width, 6, title, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", size=8)
    rows = [(statement.date_from, "Opening balance", None, None, statement.opening_balance)]
    rows += [(r["date"], r["description"], r["debit"], r["credit"], r["balance"]) for r in statement.lines]
    rows.append((statement.date_to, "Closing balance", None, None, statement.closing_balance))
    for date, text, debit, credit, balance in rows:
        cells = (f"{date:%d %b %Y}", _text(text[:60]), _money(debit), _money(credit), _money(balance) or "Rs. 0.00")
        for width, value, align in zip(widths, cells, "LLRRR", strict=True):
            pdf.cell(width, 6, value, border=1, align=align)
        pdf.ln()
    pdf.ln(3)
    pdf.set_font("Helvetica", size=7)
    pdf.multi_cell(0, 4, "Debits add to what is owed, credits reduce it. A computer-generated statement.")
    return bytes(pdf.output())
