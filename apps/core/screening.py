"""Checkpoints where a higher app may stop an action before it happens: the fraud rules.

The app that owns an action (accounts for an OTP, payments for a payment intent, loans for a
sanction) calls `screen("<action>", **facts)` with plain facts, before it opens its own
transaction; the risk app registers its checks for that action with `@screens("<action>")` in
its `screens` module, which core discovers at start-up the way it discovers jobs and handlers.
So an app lower in the layers (accounts) can be screened by one above it (risk) without
importing it. A check raises a DomainError to stop the action (apps/risk/screens.py: 409
`held_for_review`, 403 `blocked`), or returns to let it go on.

A check writes its own records (alerts) and must commit them even when it stops the action,
so callers screen before they open their transaction: an alert rolled back with the refused
action would be no alert (tests/risk/test_fraud_screens.py checks each checkpoint for this).
"""

from collections import defaultdict
from collections.abc import Callable

SCREENS: dict[str, list[Callable]] = defaultdict(list)


def screens(action: str):
    def decorator(fn):
        SCREENS[action].append(fn)
        return fn

    return decorator


def screen(action: str, **facts) -> None:
    for check in SCREENS.get(action, ()):
        check(**facts)
