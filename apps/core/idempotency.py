"""`Idempotency-Key` for views that move money or change state (IETF httpapi draft semantics).

A view opts in by decorating its handler:

    class LoanSanctionView(APIView):
        @idempotent
        def post(self, request): ...

Same key and same request (method, path, body) → the first response is replayed with
`Idempotent-Replayed: true`; same key and another request → 422; same key while the first is
still running → 409. Keys are scoped to the caller and kept for IDEMPOTENCY_TTL (≥ 24 h).

The view runs in one transaction with the record of its response: the change and the answer
that describes it commit together or not at all. After any crash — the connection killed, the
worker killed, the response failing to build — a retry with the same key either replays the
committed answer or runs for the first time, never both.

"Still running" is a transaction-scoped PostgreSQL advisory lock on (caller, key), taken
without waiting: a duplicate that finds it held answers 409 at once. PostgreSQL releases it
when the transaction ends, however it ends, so a request whose process died frees its key
immediately — no timer decides that a request is dead.
"""

import datetime
import functools
import hashlib
import json

from django.db import connection, transaction
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from apps.core.errors import Conflict, InvalidInput, Unprocessable
from apps.core.jobs import job
from apps.core.models import IdempotencyRecord

IDEMPOTENCY_TTL = datetime.timedelta(hours=24)
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# The first of the two 32-bit advisory-lock keys: this module's own namespace, so the second
# (a hash of caller and key) never meets another feature's lock.
_LOCK_NAMESPACE = 0x1D3B


def lock_ids(user_id, key: str) -> tuple[int, int]:
    digest = hashlib.blake2b(f"{user_id}\n{key}".encode(), digest_size=4).digest()
    return _LOCK_NAMESPACE, int.from_bytes(digest, "big", signed=True)


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str) if request.data else ""
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _valid_key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise InvalidInput(f"1 to {MAX_KEY_LENGTH} printable ASCII characters.", field=HEADER)
    return key


def key_from(request) -> str:
    """The request's Idempotency-Key, checked ("" when none): for a view that keeps the key on
    the row it creates instead of wrapping itself in `idempotent` (one that must call an outside
    party between two transactions)."""
    return _valid_key(request) or ""


def _try_lock(user_id, key: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", lock_ids(user_id, key))
        return cursor.fetchone()[0]


_STORE_SQL = """
INSERT INTO core_idempotencyrecord AS r
    (user_id, key, fingerprint, response_status, response_body, created_at, expires_at)
VALUES (%(user)s, %(key)s, %(fingerprint)s, %(status)s, %(body)s, %(now)s, %(expires)s)
ON CONFLICT ON CONSTRAINT uq_idempotency_user_key DO UPDATE
    SET fingerprint = EXCLUDED.fingerprint, response_status = EXCLUDED.response_status,
        response_body = EXCLUDED.response_body, created_at = EXCLUDED.created_at,
        expires_at = EXCLUDED.expires_at
"""


def _store(user_id, key: str, fingerprint: str, response) -> None:
    """Record the answer; an expired record of the same key is replaced (the unique key stays)."""
    now = timezone.now()
    body = json.dumps(response.data, cls=JSONEncoder) if response.data is not None else None
    params = {
        "user": user_id,
        "key": key,
        "fingerprint": fingerprint,
        "status": response.status_code,
        "body": body,
        "now": now,
        "expires": now + IDEMPOTENCY_TTL,
    }
    with connection.cursor() as cursor:
        cursor.execute(_STORE_SQL, params)


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise Unprocessable("This Idempotency-Key was used with a different request.", code="idempotency_mismatch")
    replay = Response(record.response_body, status=record.response_status)
    replay["Idempotent-Replayed"] = "true"
    return replay


def idempotent(handler):
    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = _valid_key(request)
        if key is None:
            return handler(view, request, *args, **kwargs)
        user_id = request.user.pk
        fingerprint = _fingerprint(request)
        # An exception from the handler rolls back its work with the rest: nothing was stored,
        # so a retry runs it afresh.
        with transaction.atomic():
            if not _try_lock(user_id, key):
                raise Conflict(
                    "A request with this Idempotency-Key is still being processed.", code="idempotency_in_flight"
                )
            record = IdempotencyRecord.objects.filter(user_id=user_id, key=key, expires_at__gt=timezone.now()).first()
            if record is not None:
                return _replay(record, fingerprint)
            response = handler(view, request, *args, **kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            else:
                _store(user_id, key, fingerprint, response)
            return response

    return wrapper


def purge_expired(*, now=None) -> int:
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


@job("idempotency_purge", description="Forget Idempotency-Keys older than their 24-hour window.")
def idempotency_purge(*, business_date):
    return {"purged": purge_expired()}
