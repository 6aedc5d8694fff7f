"""Signals that live in apps above risk (invoices, repayments) reach the score through this
registry, so risk never imports them. A source takes business ids and returns, in bulk,
{business_id: {name: value}}; a source nobody registered leaves its factor neutral."""

from collections.abc import Callable, Iterable

SignalSource = Callable[[Iterable], dict]
SOURCES: dict[str, SignalSource] = {}


def register_signal_source(name: str, fn: SignalSource) -> None:
    SOURCES[name] = fn


def collect(business_ids: list) -> dict:
    """{business_id: {source name: {...}}} with one call per source for the whole chunk."""
    merged: dict = {business_id: {} for business_id in business_ids}
    for name, fn in SOURCES.items():
        for business_id, values in fn(business_ids).items():
            merged.setdefault(business_id, {})[name] = values
    return merged
