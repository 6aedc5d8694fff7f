"""`Idempotency-Key` for views that move money or change state (IETF httpapi draft semantics).

A view opts in by decorating its handler:

    class LoanSanctionView(APIView):
        @idempotent
        def post(self, request): ...

Same key and same request (method, path, body) → the first response is replayed with
`Idempotent-Replayed: true`; same key and another request → 422; same key while the first is
still running → 409 (a claim left behind by a crashed worker lapses after STALE_CLAIM).
Keys are scoped to the caller and kept for IDEMPOTENCY_TTL (≥ 24 h).

The key is claimed first, in its own committed transaction, so a racing duplicate sees the
claim at once; the view then runs in its own transaction. A request that fails with an
exception releases its claim, so the client may retry it.
"""

import datetime
import functools
import hashlib
import json

from django.db import connection
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from apps.core.errors import Conflict, InvalidInput, Unprocessable
from apps.core.jobs import job
from apps.core.models import IdempotencyRecord

IDEMPOTENCY_TTL = datetime.timedelta(hours=24)
HEADER = "Idempotency-Key"
# Longer than the web server lets any request run (gunicorn's timeout is 30 s).
STALE_CLAIM = datetime.timedelta(minutes=2)


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str) if request.data else ""
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


_CLAIM_SQL = """
INSERT INTO core_idempotencyrecord AS r (user_id, key, fingerprint, state, created_at, expires_at)
VALUES (%(user)s, %(key)s, %(fingerprint)s, 'IN_FLIGHT', %(now)s, %(expires)s)
ON CONFLICT ON CONSTRAINT uq_idempotency_user_key DO UPDATE
    SET fingerprint = EXCLUDED.fingerprint, state = 'IN_FLIGHT', response_status = NULL,
        response_body = NULL, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
    WHERE r.expires_at < %(now)s OR (r.state = 'IN_FLIGHT' AND r.created_at < %(stale)s)
RETURNING id
"""


def _claim(user, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """Our claim, or None when another request holds the key (the caller inspects it).

    One statement: a new key is inserted; an expired key, or a claim left IN_FLIGHT by a worker
    that died mid-request (longer ago than any request may run), is taken over; otherwise the
    key belongs to someone else and nothing is written.
    """
    now = timezone.now()
    params = {
        "user": user.pk,
        "key": key,
        "fingerprint": fingerprint,
        "now": now,
        "expires": now + IDEMPOTENCY_TTL,
        "stale": now - STALE_CLAIM,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    claim = IdempotencyRecord(
        id=row[0], user=user, key=key, fingerprint=fingerprint, created_at=now, expires_at=now + IDEMPOTENCY_TTL
    )
    claim._state.adding = False
    return claim


def idempotent(handler):
    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > 255:
            raise InvalidInput("At most 255 characters.", field=HEADER)
        fingerprint = _fingerprint(request)
        claim = _claim(request.user, key, fingerprint)
        if claim is None:
            existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
            if existing is None:  # released between our insert and our read: the first attempt failed
                raise Conflict(
                    "A request with this Idempotency-Key was just retried; try again.", code="idempotency_in_flight"
                )
            if existing.fingerprint != fingerprint:
                raise Unprocessable(
                    "This Idempotency-Key was used with a different request.", code="idempotency_mismatch"
                )
            if existing.state == IdempotencyRecord.State.IN_FLIGHT:
                raise Conflict(
                    "A request with this Idempotency-Key is still being processed.", code="idempotency_in_flight"
                )
            replay = Response(existing.response_body, status=existing.response_status)
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = handler(view, request, *args, **kwargs)
        except BaseException:
            claim.delete()
            raise
        if response.status_code >= 500:
            claim.delete()
            return response
        claim.state = IdempotencyRecord.State.COMPLETED
        claim.response_status = response.status_code
        claim.response_body = (
            json.loads(json.dumps(response.data, cls=JSONEncoder)) if response.data is not None else None
        )
        claim.save(update_fields=["state", "response_status", "response_body"])
        return response

    return wrapper


def purge_expired(*, now=None) -> int:
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


@job("idempotency_purge", description="Forget Idempotency-Keys older than their 24-hour window.")
def idempotency_purge(*, business_date):
    return {"purged": purge_expired()}
