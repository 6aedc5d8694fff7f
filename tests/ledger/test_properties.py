"""Random sequences of postings and reversals keep the books exact (hypothesis)."""

import datetime
import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.ledger import chart
from apps.ledger.balances import find_drift
from apps.ledger.models import JournalEntry
from apps.ledger.selectors import ledger_summary, trial_balance
from apps.ledger.services import Line, journal_post, journal_reverse

ACCOUNTS = [code for code, _, _ in chart.CHART]
LOANS = [uuid.uuid4() for _ in range(3)]
amounts = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("9999999.9999"), places=4)


@st.composite
def balanced_lines(draw):
    debits = draw(st.lists(amounts, min_size=1, max_size=3))
    total = sum(debits)
    n_credits = draw(st.integers(min_value=1, max_value=3))
    cuts = sorted(
        draw(st.lists(amounts.filter(lambda a: a < total), min_size=n_credits - 1, max_size=n_credits - 1, unique=True))
    )
    credits = [b - a for a, b in zip([Decimal(0), *cuts], [*cuts, total], strict=True)]
    credits = [c for c in credits if c > 0]
    loan = draw(st.sampled_from([None, *LOANS]))
    lines = [Line(draw(st.sampled_from(ACCOUNTS)), debit=d, loan_id=loan) for d in debits]
    lines += [Line(draw(st.sampled_from(ACCOUNTS)), credit=c, loan_id=loan) for c in credits]
    return lines


operations = st.lists(
    st.one_of(st.tuples(st.just("post"), balanced_lines()), st.tuples(st.just("reverse"), st.integers(0, 50))),
    min_size=1,
    max_size=12,
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_snapshots_equal_a_rebuild_and_debits_equal_credits(ops):
    from django.db import transaction

    with transaction.atomic():
        posted = []
        for index, (kind, payload) in enumerate(ops):
            if kind == "post":
                posted.append(
                    journal_post(
                        entry_type="ADJUSTMENT",
                        lines=payload,
                        idempotency_key=f"prop-{uuid.uuid4()}-{index}",
                        business_date=datetime.date(2026, 11, 22),
                    )
                )
            elif posted:
                journal_reverse(entry=posted[payload % len(posted)], reason="property test")
        assert find_drift() == []
        summary = ledger_summary()  # read from the snapshots: the journal's own totals, exactly
        assert summary["accounts"] == trial_balance()
        assert summary["balanced"]
        assert summary["total_debit"] == summary["total_credit"]
        assert JournalEntry.objects.count() >= len(posted)
        transaction.set_rollback(True)
