"""factory_boy factories for the rows tests build by hand: users, a business, its collateral.

Only rows with no rule between them and the database come from a factory. An invoice, an offer,
a loan and everything the ledger books are made through the services (see
tests/support/lending.py: make_loan): a factory would write them without the GST check, the
journal entries or the audit rows, and a test would then prove a state the code never makes.
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory, Password

from apps.accounts.models import User
from apps.core.business_date import get_business_date
from apps.core.roles import Role
from apps.demo.identifiers import make_aadhaar, make_gstin, make_pan
from apps.kyc.models import BankAccount, Business, Collateral

PASSWORD = "a-long-test-password"


class BorrowerFactory(DjangoModelFactory):
    """A borrower: logs in by phone, so the phone is the username."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    role = Role.BORROWER
    phone = factory.Sequence(lambda n: f"+9198{n:08d}")
    username = factory.LazyAttribute(lambda user: user.phone)
    password = Password(PASSWORD)


class StaffFactory(BorrowerFactory):
    """An OFFICER (the default) or ADMIN: no phone, a username, is_staff, and the permission group
    of the role, which is what the admin checks. `groups=[]` leaves the group out (an API-only
    staff user, as the `officer` and `admin_user` fixtures are)."""

    role = Role.OFFICER
    phone = None
    username = factory.LazyAttributeSequence(lambda user, n: f"{user.role.lower()}-{n}")
    is_staff = True

    @factory.post_generation
    def groups(user, create, extracted, **kwargs):
        if not create:
            return
        groups = extracted if extracted is not None else [Group.objects.get(name=user.role)]
        user.groups.add(*groups)


class OfficerFactory(StaffFactory):
    role = Role.OFFICER


class AdminFactory(StaffFactory):
    role = Role.ADMIN


class BusinessFactory(DjangoModelFactory):
    """A business whose KYC is done: checksum-valid GSTIN and PAN, a masked Aadhaar, GST active.

    `n` numbers everything that must be unique (PAN, hence GSTIN; the Aadhaar hash)."""

    class Meta:
        model = Business

    class Params:
        n = factory.Sequence(lambda n: 1000 + n)

    owner = factory.SubFactory(BorrowerFactory)
    legal_name = factory.LazyAttribute(lambda b: f"Asha Traders {b.n} Private Limited")
    trade_name = factory.LazyAttribute(lambda b: f"Asha Traders {b.n}")
    owner_name = "Asha Verma"
    address = "12 MG Road, Pune"
    state_code = "27"
    pan = factory.LazyAttribute(lambda b: make_pan(b.n))
    gstin = factory.LazyAttribute(lambda b: make_gstin(b.pan, b.state_code))
    aadhaar_hash = factory.LazyAttribute(lambda b: f"test-hash-{b.n}")
    aadhaar_last4 = factory.LazyAttribute(lambda b: make_aadhaar(b.n)[-4:])
    gst_registration_date = datetime.date(2019, 4, 1)
    gst_status = "ACTIVE"
    declared_turnover = Decimal("25000000.00")
    kyc_status = Business.KycStatus.VERIFIED


class CollateralFactory(DjangoModelFactory):
    """A free fixed deposit, valued on the business date."""

    class Meta:
        model = Collateral

    business = factory.SubFactory(BusinessFactory)
    type = Collateral.Type.FIXED_DEPOSIT
    description = "Fixed deposit with a scheduled bank"
    value = Decimal("500000.00")
    valuation_date = factory.LazyFunction(get_business_date)


class BankAccountFactory(DjangoModelFactory):
    """A business's VERIFIED primary account, as a penny drop leaves it (the number itself is
    never stored: a keyed hash and the last four digits)."""

    class Meta:
        model = BankAccount

    class Params:
        n = factory.Sequence(lambda n: 7000 + n)

    business = factory.SubFactory(BusinessFactory)
    ifsc = "HDFC0001234"
    bank_name = "HDFC Bank"
    account_hash = factory.LazyAttribute(lambda a: f"test-account-hash-{a.n}")
    account_last4 = "5678"
    holder_name = factory.LazyAttribute(lambda a: a.business.legal_name)
    name_at_bank = factory.LazyAttribute(lambda a: a.business.legal_name.upper())
    name_match_score = 100
    status = BankAccount.Status.VERIFIED
    verification_reference = factory.LazyAttribute(lambda a: f"BAV-test-{a.n}")
    is_primary = True
