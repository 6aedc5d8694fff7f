import pytest

from apps.loans.models import Loan
from tests.support.days import close_day, days_after
from tests.support.lending import make_loan


@pytest.fixture
def defaulted(borrower):
    """A secured loan 91 days past its first EMI: NPA, DEFAULTED, ready for recovery."""
    loan = make_loan(borrower, secured=True)
    close_day(days_after(loan, 1, 91))
    loan.refresh_from_db()
    assert loan.status == Loan.Status.DEFAULTED
    return loan
