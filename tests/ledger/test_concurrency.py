import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from apps.ledger import chart
from apps.ledger.balances import find_drift
from apps.ledger.models import JournalEntry
from apps.ledger.selectors import snapshot_balances
from apps.ledger.services import Line, journal_post


@pytest.mark.django_db(transaction=True)
def test_eight_threads_posting_to_the_same_accounts_lose_nothing(ledger_chart):
    per_thread, threads_count = 15, 8
    barrier = threading.Barrier(threads_count)
    errors = []

    def worker(n):
        try:
            barrier.wait()
            for i in range(per_thread):
                journal_post(
                    entry_type="REPAYMENT",
                    lines=[
                        Line(chart.BANK_COLLECTIONS, debit=Decimal("10.0001")),
                        Line(chart.INTEREST_INCOME, credit=Decimal("0.0001")),
                        Line(chart.LOAN_PRINCIPAL, credit=Decimal("10.0000")),
                    ],
                    idempotency_key=f"t{n}-{i}",
                    business_date=datetime.date(2026, 11, 22),
                )
                # every thread also retries one key another thread owns: never a second entry
                journal_post(
                    entry_type="REPAYMENT",
                    lines=[
                        Line(chart.BANK_COLLECTIONS, debit=Decimal("1")),
                        Line(chart.LOAN_PRINCIPAL, credit=Decimal("1")),
                    ],
                    idempotency_key=f"shared-{i}",
                    business_date=datetime.date(2026, 11, 22),
                )
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert JournalEntry.objects.count() == threads_count * per_thread + per_thread
    expected = Decimal("10.0001") * threads_count * per_thread + per_thread
    assert snapshot_balances()[chart.BANK_COLLECTIONS] == expected
    assert find_drift() == []
