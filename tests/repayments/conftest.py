import pytest

from tests.support.lending import make_loan


@pytest.fixture
def loan(borrower):
    return make_loan(borrower)
