import datetime
import hashlib
from decimal import Decimal

import numpy as np
import numpy_financial as npf
import pytest

from apps.loans.contract import ContractTerms, annual_percentage_rate, build_contract_pdf
from apps.loans.schedule import InterestMethod, build_schedule, emi_amount


def _terms(**overrides):
    schedule = tuple(
        build_schedule(InterestMethod.REDUCING_BALANCE, Decimal("100000"), Decimal("12"), 6, datetime.date(2026, 1, 15))
    )
    values = dict(
        loan_reference="L-1",
        borrower_name="Asha Rao",
        business_name="Rao Traders",
        gstin="27AAPFU0939F1ZV",
        invoice_number="INV-7",
        product_name="Invoice finance",
        principal=Decimal("100000.00"),
        annual_rate=Decimal("12.00"),
        tenure_months=6,
        emi=emi_amount(Decimal("100000"), Decimal("12"), 6),
        processing_fee=Decimal("1500.00"),
        fee_gst=Decimal("270.00"),
        disbursed_amount=Decimal("98230.00"),
        sanctioned_on=datetime.date(2026, 1, 15),
        bounce_charge=Decimal("590.00"),
        penal_rate_pct=Decimal("24.00"),
        offer_type="UNSECURED",
        schedule=schedule,
    )
    values.update(overrides)
    return ContractTerms(**values)


def test_apr_without_fees_equals_the_contract_rate():
    schedule = build_schedule(
        InterestMethod.REDUCING_BALANCE, Decimal("100000"), Decimal("12"), 12, datetime.date(2026, 1, 1)
    )
    assert annual_percentage_rate(Decimal("100000"), [line.amount for line in schedule]) == Decimal("12.00")


def test_apr_with_fees_matches_numpy_financial_irr():
    terms = _terms()
    apr = annual_percentage_rate(terms.disbursed_amount, [line.amount for line in terms.schedule])
    flows = [-terms.disbursed_amount] + [line.amount for line in terms.schedule]
    irr = npf.irr([np.float64(str(flow)) for flow in flows])
    assert abs(apr - Decimal(irr * 1200)) < Decimal("0.01")
    assert apr > Decimal("12.00")


def test_pdf_is_reproducible_and_carries_the_key_facts():
    first, second = build_contract_pdf(_terms()), build_contract_pdf(_terms())
    assert first.startswith(b"%PDF")
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    assert (
        hashlib.sha256(build_contract_pdf(_terms(annual_rate=Decimal("13.00")))).digest()
        != hashlib.sha256(first).digest()
    )


@pytest.mark.django_db
def test_a_disbursement_builds_its_contract_once_and_stores_those_bytes(
    monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from apps.loans.services import disbursement
    from tests.support.lending import make_loan

    built = []
    real = disbursement.build_contract_pdf

    def counting(terms):
        built.append(terms)
        return real(terms)

    monkeypatch.setattr(disbursement, "build_contract_pdf", counting)
    with django_capture_on_commit_callbacks(execute=True):
        loan = make_loan()
    assert len(built) == 1
    with default_storage.open(loan.contract_key) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == loan.contract_sha256
