"""Cash-flow analytics against a statement with known answers, categorisation on narrations
alone, and a property: whatever the transactions, each month's inflow less outflow is the
change in its closing balance, and nothing is counted twice or lost."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.banking.analytics import cash_flow, external_loans
from apps.banking.models import BankAccount, BankTransaction
from apps.banking.normalise import categorise, counterparty_of
from tests.support.factories import BusinessFactory

pytestmark = pytest.mark.django_db
AS_OF = datetime.datetime(2026, 7, 15, 18, tzinfo=datetime.UTC)
MONTH = [
    (2, "CREDIT", "100000.00", "NEFT/CR/ACME TRADERS/1"),
    (5, "DEBIT", "10000.00", "NACH DR/HDB FINANCIAL/LN1 EMI"),
    (10, "DEBIT", "60000.00", "RTGS/DR/PRIME STEEL/2"),
    (20, "DEBIT", "6000.00", "GST PMT/CBIC/CPIN 3"),
    (25, "DEBIT", "5000.00", "IMPS/DR/SELF ICICI/4"),
]
MARCH_BOUNCE = [
    (5, "CREDIT", "10000.00", "NACH RTN/HDB FINANCIAL/LN1 INSUFFICIENT FUNDS"),
    (6, "DEBIT", "590.00", "NACH RTN CHGS/LN1"),
]


def _account(business, *, opening="50000.00", bank="HDFC"):
    return BankAccount.objects.create(
        business=business,
        bank=bank,
        link_ref=f"{bank}-1",
        masked_number="XXXX1234",
        type="CURRENT",
        balance=Decimal(opening),
        balance_at=AS_OF,
        synced_at=AS_OF,
    )


def _post(account, rows, *, opening):
    """rows: (date, direction, amount, narration), in order; balances run from `opening`."""
    balance, made = Decimal(opening), []
    for seq, (date, direction, amount, narration) in enumerate(rows):
        amount = Decimal(amount)
        balance += amount if direction == "CREDIT" else -amount
        made.append(
            BankTransaction(
                account=account,
                business_id=account.business_id,
                txn_id=f"T{seq}",
                posted_at=datetime.datetime.combine(date, datetime.time(9), tzinfo=datetime.UTC)
                + datetime.timedelta(seconds=seq),
                date=date,
                direction=direction,
                amount=amount,
                balance_after=balance,
                narration=narration,
                counterparty=counterparty_of(narration),
                category=categorise(narration, direction),
            )
        )
    BankTransaction.objects.bulk_create(made)
    return balance


def test_a_statement_with_known_answers():
    business = BusinessFactory(declared_turnover=Decimal("1500000.00"))
    rows = []
    for month in range(1, 7):
        lines = MONTH + (MARCH_BOUNCE if month == 3 else [])
        rows += [(datetime.date(2026, month, day), d, a, n) for day, d, a, n in sorted(lines)]
    rows.append((datetime.date(2026, 7, 3), "CREDIT", "99999.00", "NEFT/CR/ACME TRADERS/5"))  # this month: left out
    _post(_account(business), rows, opening="50000.00")

    flow = cash_flow(business)
    assert [(m["month"], m["inflow"], m["outflow"], m["closing_balance"]) for m in flow.months] == [
        ("2026-01", Decimal("100000.00"), Decimal("81000.00"), Decimal("69000.00")),
        ("2026-02", Decimal("100000.00"), Decimal("81000.00"), Decimal("88000.00")),
        ("2026-03", Decimal("110000.00"), Decimal("81590.00"), Decimal("116410.00")),
        ("2026-04", Decimal("100000.00"), Decimal("81000.00"), Decimal("135410.00")),
        ("2026-05", Decimal("100000.00"), Decimal("81000.00"), Decimal("154410.00")),
        ("2026-06", Decimal("100000.00"), Decimal("81000.00"), Decimal("173410.00")),
    ]
    # The returned EMI is not a receipt; own transfers and EMIs are not operating costs.
    assert flow.average_monthly_inflow == Decimal("100000.00")
    assert flow.average_balance == Decimal("122773.33")  # 7,36,640 / 6
    assert flow.emi_obligations == [{"counterparty": "HDB FINANCIAL", "amount": Decimal("10000.00"), "day_of_month": 5}]
    assert flow.bounced_debits == 1
    assert flow.gst_turnover_ratio == Decimal("0.80")  # 12,00,000 a year against 15,00,000 declared
    # Half of (1,00,000 - 3,96,590 / 6) less the 10,000 EMI already paid.
    assert flow.max_affordable_emi == Decimal("6950.83")
    assert flow.stale is True  # data from July, read in December: older than AA_DATA_STALE_DAYS

    (loan,) = external_loans(business)
    assert (loan.lender, loan.emi, loan.principal, loan.tenure_months) == (
        "HDB FINANCIAL",
        Decimal("10000.00"),
        None,
        None,
    )


def test_no_bank_data_is_an_empty_answer_not_an_error():
    flow = cash_flow(BusinessFactory())
    assert (flow.as_of, flow.stale, flow.months, flow.max_affordable_emi) == (None, False, [], Decimal("0.00"))


def test_obligations_already_using_the_surplus_leave_nothing_affordable():
    business = BusinessFactory(declared_turnover=None)
    rows = []
    for month in range(3, 7):
        rows += [
            (datetime.date(2026, month, 2), "CREDIT", "50000.00", "NEFT/CR/ACME/1"),
            (datetime.date(2026, month, 5), "DEBIT", "30000.00", "NACH DR/BIG NBFC/L1 EMI"),
            (datetime.date(2026, month, 9), "DEBIT", "15000.00", "RTGS/DR/SUPPLIER/2"),
        ]
    _post(_account(business), rows, opening="1000.00")
    flow = cash_flow(business)
    assert flow.max_affordable_emi == Decimal("0.00") and flow.gst_turnover_ratio is None
    assert [o["counterparty"] for o in flow.emi_obligations] == ["BIG NBFC"]


@pytest.mark.parametrize(
    ("narration", "direction", "category", "counterparty"),
    [
        ("NEFT/CR/ACME TRADERS PVT LTD/HDFCN123", "CREDIT", "RECEIPT", "ACME TRADERS PVT LTD"),
        ("UPI/DR/SWIGGY/4123", "DEBIT", "PAYMENT", "SWIGGY"),
        ("NEFT/DR/SALARY NOV26 RAVI KUMAR/99", "DEBIT", "SALARY", "RAVI KUMAR"),
        ("NACH DR/BAJAJ FINANCE LTD/LAN1 EMI 3 OF 24", "DEBIT", "EMI", "BAJAJ FINANCE LTD"),
        ("NACH RTN/BAJAJ FINANCE LTD/LAN1 INSUFFICIENT FUNDS", "CREDIT", "BOUNCE", "BAJAJ FINANCE LTD"),
        ("NACH RTN CHGS/LAN1", "DEBIT", "CHARGES", ""),
        ("CHQ RTN/ACME TRADERS PVT LTD/CHQ 123456", "DEBIT", "BOUNCE", "ACME TRADERS PVT LTD"),
        ("LOAN DISB/BAJAJ FINANCE LTD/LAN1", "CREDIT", "LOAN", "BAJAJ FINANCE LTD"),
        ("GST PMT/CBIC/CPIN 2611", "DEBIT", "GST", "CBIC"),
        ("ADV TAX/CBDT/88", "DEBIT", "TAX", "CBDT"),
        ("IMPS/DR/SELF HDFC/77", "DEBIT", "TRANSFER", "SELF HDFC"),
        ("SWEEP TO FD/HDFC202601", "DEBIT", "TRANSFER", ""),
        ("ATM WDL/MG ROAD", "DEBIT", "CASH", ""),
    ],
)
def test_narrations_are_categorised(narration, direction, category, counterparty):
    assert categorise(narration, direction) == category
    assert counterparty_of(narration) == counterparty


LINE = st.tuples(
    st.integers(min_value=0, max_value=11),  # month of 2025
    st.integers(min_value=1, max_value=28),
    st.sampled_from(["CREDIT", "DEBIT"]),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2),
    st.sampled_from([n for _, _, _, n in MONTH + MARCH_BOUNCE] + ["UPI/DR/DMART/1", "UPI/CR/RAVI/2"]),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINE, min_size=1, max_size=60))
def test_each_month_inflow_less_outflow_is_the_change_in_its_closing_balance(lines):
    BankTransaction.objects.all().delete()
    BankAccount.objects.all().delete()
    business = BusinessFactory()
    rows = sorted((datetime.date(2025, 1 + m, d), direction, a, n) for m, d, direction, a, n in lines)
    closing = _post(_account(business, opening="0.00"), rows, opening="0.00")
    account = BankAccount.objects.get(business=business)
    BankAccount.objects.filter(pk=account.pk).update(synced_at=datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC))

    flow = cash_flow(business)
    previous = Decimal("0.00")
    for month in flow.months:
        assert month["inflow"] - month["outflow"] == month["closing_balance"] - previous
        previous = month["closing_balance"]
    assert previous == closing
    assert sum(m["inflow"] for m in flow.months) == sum(a for _, d, a, _ in rows if d == "CREDIT")
    assert flow.max_affordable_emi >= 0 and flow.bounced_debits >= 0
