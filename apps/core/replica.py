"""Which database a read goes to: the replica only where the caller asked for it.

Reports and admin lists can afford a replica that lags the primary by a moment; money paths
cannot (an idempotent replay or a reversal that read a lagging copy would post twice or mirror
the wrong lines). So every read goes to the primary unless it runs inside `use_replica()`, and
`use_primary()` takes a block back (the ledger's services do, whoever calls them).

`config.db_router.ReplicaRouter` honours this when DATABASE_REPLICA_URL is set; without a
replica there is no router, and every read is `default`. Both work as context managers and as
decorators (`@use_replica()`).
"""

from contextlib import contextmanager
from contextvars import ContextVar

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_reads() -> bool:
    """True inside `use_replica()` (and not inside a `use_primary()` within it)."""
    return _replica_reads.get()


@contextmanager
def _reads(*, replica: bool):
    token = _replica_reads.set(replica)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def use_replica():
    return _reads(replica=True)


def use_primary():
    return _reads(replica=False)
