"""The set-based transitions (close of business, offer expiry) and the one-row FSM path agree.

Each door is applied set-based to a row in every state of its model and one-row to an equivalent
row in the same state: the same rows move, to the same state and fields, with the same audit rows
(action, before, after, reason, actor) and the same classification history; a row the FSM refuses
is skipped by the set-based path and refused by the one-row path.
"""

import datetime

import pytest
import time_machine
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.core.fsm import bulk_transition
from apps.invoices.models import Invoice
from apps.invoices.transitions import INVOICE_REOPENED
from apps.loans.models import Loan, Offer
from apps.loans.services import offers_expire_due, offers_generate
from apps.loans.transitions import (
    LOAN_CURRENT,
    LOAN_DEFAULTED,
    LOAN_OVERDUE,
    LOAN_UPGRADED,
    OFFER_EXPIRED,
    OVERRIDES,
    loan_override_targets,
)
from tests.support.lending import ensure_products, make_loan, verified_business, verified_invoice
from tests.support.transitions import agree as _agree
from tests.support.transitions import audit_rows as _audit
from tests.support.transitions import fields as _fields
from tests.support.transitions import set_state as _set_state
from tests.support.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan_pairs(db):
    """Two equivalent disbursed loans in every loan state (each a new borrower's first, so the
    same score, rate and schedule)."""
    ensure_products()
    pairs = {}
    for status in Loan.Status.values:
        pair = (make_loan(make_user()), make_loan(make_user()))
        for loan in pair:
            _set_state(loan, status)
        pairs[status] = pair
    return pairs


@pytest.mark.parametrize("door", [LOAN_OVERDUE, LOAN_CURRENT, LOAN_DEFAULTED, LOAN_UPGRADED], ids=lambda d: d.name)
def test_each_close_of_business_transition_set_based_equals_one_row(door, loan_pairs):
    bulk = Loan.objects.filter(pk__in=[bulk_row.pk for bulk_row, _ in loan_pairs.values()])
    _agree(door, loan_pairs, bulk)


def test_the_set_based_path_moves_only_the_rows_of_its_queryset(loan_pairs):
    active, other = loan_pairs[Loan.Status.ACTIVE]
    assert LOAN_OVERDUE.many(Loan.objects.filter(pk=active.pk), reason="r") == [active.pk]
    other.refresh_from_db()
    assert other.status == Loan.Status.ACTIVE and _audit(other, "loan.overdue") == []
    assert LOAN_UPGRADED.many(Loan.objects.filter(pk__in=[]), reason="r") == []


def _offered_invoice(borrower) -> tuple[Invoice, Offer]:
    invoice = verified_invoice(borrower)
    (offer,) = offers_generate(invoice_id=invoice.pk, actor=borrower)
    invoice.refresh_from_db()
    return invoice, offer


@pytest.fixture
def offered(db):
    """A new borrower's first invoice, offered: its offer is priced like any other's."""
    ensure_products()

    def make():
        borrower = make_user()
        verified_business(borrower)
        return _offered_invoice(borrower)

    return make


def test_offer_expiry_set_based_equals_one_row(offered):
    pairs = {}
    for status in Offer.Status.values:
        pair = tuple(offered()[1] for _ in range(2))
        for offer in pair:
            _set_state(offer, status)
        pairs[status] = pair
    bulk = Offer.objects.filter(pk__in=[bulk_row.pk for bulk_row, _ in pairs.values()])
    _agree(OFFER_EXPIRED, pairs, bulk)


def test_invoice_reopening_set_based_equals_one_row(offered):
    pairs = {}
    for status in Invoice.Status.values:
        pair = tuple(offered()[0] for _ in range(2))
        for invoice in pair:
            _set_state(invoice, status)
        pairs[status] = pair
    bulk = Invoice.objects.filter(pk__in=[bulk_row.pk for bulk_row, _ in pairs.values()])
    _agree(INVOICE_REOPENED, pairs, bulk, bulk_values={"status_reason": "offers gone"}, one_args=("offers gone",))


def test_the_expiry_job_and_an_expiry_in_place_write_the_same_rows(offered):
    (job_invoice, job_offer), (in_place_invoice, in_place_offer) = offered(), offered()
    later = timezone.now() + datetime.timedelta(hours=80)
    with time_machine.travel(later):  # offers_generate expires the stale offer in place, then offers anew
        offers_generate(invoice_id=in_place_invoice.pk, actor=in_place_invoice.business.owner)
    assert offers_expire_due(now=later) == {"offers_expired": 1, "invoices_reopened": 1}
    assert _fields(job_offer) == _fields(in_place_offer)
    # The same rows but for the actor: the job is the system, an expiry in place the borrower.
    for obj, in_place, action in (
        (job_offer, in_place_offer, "offer.expired"),
        (job_invoice, in_place_invoice, "invoice.reopened"),
    ):
        assert [row[:4] for row in _audit(obj, action)] == [row[:4] for row in _audit(in_place, action)]
    assert _audit(job_invoice, "invoice.reopened")[0][1:4] == (
        {"status": "OFFERED"},
        {"status": "VERIFIED"},
        "offers expired",
    )


def test_a_transition_the_database_cannot_check_is_refused_set_based():
    with pytest.raises(TypeError, match="conditions"):
        bulk_transition(Loan.objects.all(), Loan.record_bounce)
    with pytest.raises(TypeError, match="not a django-fsm transition"):
        bulk_transition(Loan.objects.all(), Loan.__str__)


def test_the_override_is_the_documented_table(loan_pairs):
    table = {status: loan_override_targets(loan) for status, (loan, _) in loan_pairs.items()}
    assert table == {
        "SANCTIONED": ["CANCELLED"],
        "ACTIVE": ["DEFAULTED"],
        "OVERDUE": ["ACTIVE", "DEFAULTED"],
        "DEFAULTED": ["ACTIVE", "OVERDUE"],
        "CLOSED": [],
        "WRITTEN_OFF": [],
        "CANCELLED": [],
    }
    assert sorted(OVERRIDES) == ["ACTIVE", "CANCELLED", "DEFAULTED", "OVERDUE"]


def test_the_close_of_business_moves_loans_only_through_the_doors(borrower):
    """Every status change of a night has the audit row of its door, and nothing else moves."""
    from tests.support.days import close_day, days_after

    loans = [make_loan(borrower), make_loan(make_user()), make_loan(make_user())]
    _set_state(loans[2], Loan.Status.CLOSED)  # not live: the night leaves it alone
    close_day(days_after(loans[0], 1, 91))
    actions = {door.action for door in (LOAN_OVERDUE, LOAN_CURRENT, LOAN_DEFAULTED, LOAN_UPGRADED)}
    for loan in loans:
        loan.refresh_from_db()
    assert [loan.status for loan in loans] == ["DEFAULTED", "DEFAULTED", "CLOSED"]
    for loan in loans[:2]:
        trail = [row[0:3] for row in _audit(loan, "loan.overdue") + _audit(loan, "loan.defaulted")]
        assert trail == [
            ("loan.overdue", {"status": "ACTIVE"}, {"status": "OVERDUE"}),
            ("loan.defaulted", {"status": "OVERDUE"}, {"status": "DEFAULTED"}),
        ]
    assert not AuditLog.objects.filter(object_id=str(loans[2].pk), action__in=actions).exists()
