"""Builders for the lending flow's objects, shared by the invoices, loans and repayments tests."""

import datetime
import importlib
import itertools
from decimal import Decimal

from apps.core.business_date import get_business_date
from apps.demo.identifiers import make_gstin, make_pan
from apps.kyc.models import BankAccount, Business, Collateral
from apps.loans.models import LoanProduct
from tests.support.factories import BankAccountFactory, BorrowerFactory, BusinessFactory, CollateralFactory

_numbers = itertools.count(1000)
_seed_products = importlib.import_module("apps.loans.migrations.0002_seed_products")


def ensure_products() -> LoanProduct:
    """The migration-seeded products (flushed away by transaction=True tests) are put back."""
    for spec in _seed_products.PRODUCTS:
        LoanProduct.objects.get_or_create(code=spec["code"], defaults=spec)
    return LoanProduct.objects.get(code="INV-STD-6M")


def verified_business(owner, *, kyc_status=Business.KycStatus.VERIFIED, state_code="27") -> Business:
    return BusinessFactory(owner=owner, kyc_status=kyc_status, state_code=state_code)


def payout_account(business, *, last4="5678") -> BankAccount:
    """The business's VERIFIED primary account, where a sanction pays out (made once)."""
    account = BankAccount.objects.filter(business=business, is_primary=True).first()
    return account or BankAccountFactory(business=business, account_last4=last4)


def add_collateral(business, value="500000.00") -> Collateral:
    return CollateralFactory(business=business, value=Decimal(value))


def buyer_gstin() -> str:
    return make_gstin(make_pan(next(_numbers) + 50_000), "29")


def invoice_payload(**overrides) -> dict:
    today = get_business_date()
    payload = {
        "invoice_number": f"INV/{next(_numbers)}",
        "invoice_date": (today - datetime.timedelta(days=5)).isoformat(),
        "due_date": (today + datetime.timedelta(days=60)).isoformat(),
        "buyer_gstin": buyer_gstin(),
        "buyer_name": "Kaveri Retail LLP",
        "amount": "100000.00",
    }
    payload.update(overrides)
    return payload


def verified_invoice(borrower, *, amount="100000.00"):
    """An invoice added through the service (the sandbox GST check verifies it)."""
    from apps.invoices.services import invoice_add

    payload = invoice_payload(amount=amount)
    payload["invoice_date"] = datetime.date.fromisoformat(payload["invoice_date"])
    payload["due_date"] = datetime.date.fromisoformat(payload["due_date"])
    payload["amount"] = Decimal(payload["amount"])
    return invoice_add(actor=borrower, **payload)


def make_loan(borrower=None, *, amount="100000.00", secured=False):
    """A disbursed loan made through the services (faster than HTTP, same rules)."""
    from apps.loans.services import loan_sanction, offers_generate

    ensure_products()
    borrower = borrower or BorrowerFactory()
    business = Business.objects.filter(owner=borrower).first() or verified_business(borrower)
    payout_account(business)
    if secured:
        add_collateral(business, value=str(Decimal(amount) * 2))
    invoice = verified_invoice(borrower, amount=amount)
    offers = {offer.type: offer for offer in offers_generate(invoice_id=invoice.pk, actor=borrower)}
    offer = offers["SECURED" if secured else "UNSECURED"]
    return loan_sanction(offer_id=offer.pk, actor=borrower)


def generate(client, invoice_id) -> dict:
    """Offers for the invoice over the API, by type ("UNSECURED", "SECURED")."""
    response = client.post("/api/v1/offers/generate", {"invoice_id": invoice_id}, format="json")
    assert response.status_code == 201, response.content
    return {offer["type"]: offer for offer in response.json()["offers"]}
