from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.repayments.allocation import PARTS, allocate

money = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("1000000.00"), places=2)


def test_penalty_then_interest_then_principal_exactly():
    owed = {"penalty": Decimal("696.20"), "interest": Decimal("1000.00"), "principal": Decimal("12089.77")}
    parts = allocate(Decimal("1500.00"), owed)
    assert (parts.penalty, parts.interest, parts.principal) == (Decimal("696.20"), Decimal("803.80"), Decimal("0.00"))


def test_the_product_order_is_respected():
    owed = {"penalty": Decimal("100.00"), "interest": Decimal("50.00"), "principal": Decimal("500.00")}
    parts = allocate(Decimal("120.00"), owed, ["principal", "interest", "penalty"])
    assert parts.as_dict() == {"penalty": Decimal("0.00"), "interest": Decimal("0.00"), "principal": Decimal("120.00")}


def test_more_than_owed_is_refused():
    with pytest.raises(ValueError):
        allocate(Decimal("10.01"), {"penalty": Decimal("0"), "interest": Decimal("0"), "principal": Decimal("10.00")})


@given(
    penalty=money,
    interest=money,
    principal=money,
    share=st.fractions(min_value=0, max_value=1),
    order=st.permutations(PARTS),
)
def test_allocation_sums_to_the_amount_and_never_exceeds_any_part(penalty, interest, principal, share, order):
    owed = {"penalty": penalty, "interest": interest, "principal": principal}
    total = penalty + interest + principal
    amount = (total * Decimal(share.numerator) / Decimal(share.denominator)).quantize(
        Decimal("0.01"), rounding="ROUND_DOWN"
    )
    parts = allocate(amount, owed, list(order))
    assert parts.total == amount
    for name in PARTS:
        assert Decimal("0") <= getattr(parts, name) <= owed[name]
    # a later part gets something only when every earlier one is full
    filled = [getattr(parts, name) == owed[name] for name in order]
    got = [getattr(parts, name) > 0 for name in order]
    for index in range(1, 3):
        if got[index]:
            assert all(filled[:index])
