"""The lender's PDF documents (the loan agreement, a receipt, a statement of account): one page
setup and one way to print an amount, so the three read alike."""

import datetime

from fpdf import FPDF

from apps.core.inr import inr

LENDER_NAME = "GST Credit Finance Private Limited"


def pdf_money(value) -> str:
    """An amount as the documents' core font can print it (it has no rupee sign): "Rs. 3,39,578.81",
    grouped the Indian way."""
    return inr(value).replace("₹", "Rs. ")


def pdf_document(
    title: str, heading: str, *, dated: datetime.date | None = None, sizes: tuple[int, int, int] = (14, 9, 9)
) -> FPDF:
    """An A4 document by the lender with its first page begun: `heading` in bold, then the body
    font. `sizes`: the heading's font size, its line height, the body's font size. `dated` fixes the
    creation date, so that the bytes (and their sha256) are a function of the content alone."""
    heading_size, heading_height, body_size = sizes
    pdf = FPDF(format="A4")
    if dated is not None:
        pdf.set_creation_date(datetime.datetime.combine(dated, datetime.time(), tzinfo=datetime.UTC))
    pdf.set_title(title)
    pdf.set_author(LENDER_NAME)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", heading_size)
    pdf.cell(0, heading_height, heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=body_size)
    return pdf
