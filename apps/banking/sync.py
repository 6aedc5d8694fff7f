"""Fetching a business's bank data: one sync at a time, each bank stored whole or not at all.

`bank_sync_start` takes the business's lock (a RUNNING BankSync; the partial unique constraint
makes a second start a 409) and queues the run. `bank_sync_run` asks the aggregator for each
ACTIVE consent's data with no transaction open, logs every call (BankCall), checks and normalises
the whole answer, and only then writes that bank's accounts and new transactions in one short
transaction. A bank that fails keeps the data we last stored for it, and is marked, so the
cash-flow answer says `stale`. Transactions are keyed by the bank's id: a re-sync adds only
what is new. A worker lost mid-run leaves the sync RUNNING; the message is delivered again
(acks_late) and the run starts over, storing nothing twice; a sync past its lease
(AA_SYNC_LEASE_SECONDS) no longer holds the lock.
"""

import datetime
import decimal
import logging
import time

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.audit.services import record
from apps.banking.analytics import cash_flow_summary_save, month_start
from apps.banking.jws import TokenRefused
from apps.banking.models import BankAccount, BankCall, BankSync, BankTransaction, Consent
from apps.banking.normalise import money, normalised
from apps.banking.providers import AggregatorUnavailable, get_aggregator
from apps.core.errors import Conflict, InvalidInput, found
from apps.core.outbox import event_emit
from apps.core.roles import Role
from apps.kyc.selectors import businesses_visible_to, onboarded_business

logger = logging.getLogger(__name__)

FETCH_ENDPOINT = "fi/fetch"


def _enqueue(sync_id) -> None:
    try:
        current_app.send_task("banking.sync_run", args=[str(sync_id)])  # apps/banking/tasks.py
    except Exception:  # the broker is down: the sync is abandoned at its lease and can be asked again
        logger.warning("bank sync %s could not be queued", sync_id, exc_info=True)


def _abandon_overdue(business_id) -> None:
    """RUNNING syncs past their lease lost their worker: they fail and free the lock."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.AA_SYNC_LEASE_SECONDS)
    with transaction.atomic():
        for sync in BankSync.objects.select_for_update().filter(
            business_id=business_id, status=BankSync.Status.RUNNING, created_at__lt=cutoff
        ):
            sync.fail()
            sync.finished_at = timezone.now()
            sync.save()
            record("banking.sync_abandoned", obj=sync, after={"status": sync.status}, reason="past its lease")


def bank_sync_start(*, business, actor=None, force: bool = False, run_now: bool = False) -> tuple[BankSync, bool]:
    """(the sync, whether it is new). A sync that finished DONE within AA_SYNC_FRESH_MINUTES is
    returned as it is unless `force`. `run_now` runs it here (the nightly job); otherwise a worker
    runs it once this commits."""
    _abandon_overdue(business.pk)
    if not Consent.objects.filter(business=business, status=Consent.Status.ACTIVE).exists():
        raise Conflict("No bank has an active consent: ask for one at /aa/consents.", code="no_active_consent")
    if not force:
        fresh_since = timezone.now() - datetime.timedelta(minutes=settings.AA_SYNC_FRESH_MINUTES)
        recent = business.bank_syncs.filter(status=BankSync.Status.DONE, finished_at__gte=fresh_since).first()
        if recent is not None:
            return recent, False
    trigger = BankSync.Trigger.NIGHTLY if run_now else BankSync.Trigger.REQUEST
    try:
        with transaction.atomic():
            sync = BankSync.objects.create(business=business, trigger=trigger, requested_by=actor)
            record("banking.sync_started", obj=sync, after={"trigger": trigger, "force": force}, actor=actor)
            if not run_now:
                transaction.on_commit(lambda: _enqueue(sync.pk))
    except IntegrityError:
        raise Conflict("A sync of this business's bank data is already running.", code="sync_running") from None
    if run_now:
        sync = bank_sync_run(sync_id=sync.pk)
    return sync, True


def bank_sync_request(*, actor, business_id=None, force: bool = False) -> tuple[BankSync, bool]:
    """POST /aa/sync: a borrower's own business; staff name one (a business not visible to the
    caller is a 404, as everywhere)."""
    if business_id is not None:
        business = found(businesses_visible_to(actor).filter(pk=business_id).first(), "Business not found.")
    elif actor.role == Role.BORROWER:
        business = onboarded_business(actor)
    else:
        raise InvalidInput("Say whose bank data to fetch.", field="business_id")
    return bank_sync_start(business=business, actor=actor, force=force)


def _window(consent: Consent, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """From the first day of the month `consent.months` back, to today: what the consent covers."""
    return month_start(today, consent.months), today


def _accounts_of(claims: dict, consent: Consent) -> list[tuple[dict, list[dict]]]:
    """The answer checked and normalised whole before anything is written: a malformed
    transaction refuses the bank's answer, never half of it."""
    if claims.get("consent_handle") != consent.consent_handle or claims.get("bank") != consent.bank:
        raise ValueError("the answer is for another consent")
    accounts = []
    for account in claims["accounts"]:
        fields = {
            "link_ref": str(account["link_ref"])[:64],
            "masked_number": str(account["masked_number"])[:24],
            "type": str(account["type"])[:16],
            "holder_name": str(account.get("holder_name", ""))[:120],
            "balance": money(account["balance"]),
            "balance_at": datetime.datetime.fromisoformat(account["balance_at"]),
        }
        accounts.append((fields, [normalised(txn) for txn in account["transactions"]]))
    return accounts


def _log_call(sync, consent, *, ok, status, started, attempts=1, error="") -> None:
    BankCall.objects.create(
        sync=sync,
        business_id=consent.business_id,
        bank=consent.bank,
        endpoint=FETCH_ENDPOINT,
        ok=ok,
        status=status,
        latency_ms=int((time.monotonic() - started) * 1000),
        attempts=attempts,
        error=error[:255],
    )


def _store(consent: Consent, accounts, now) -> tuple[int, int]:
    """One bank's accounts and new transactions, in the caller's transaction. (accounts, new)."""
    new = 0
    for fields, txns in accounts:
        account, _ = BankAccount.objects.select_for_update().update_or_create(
            business_id=consent.business_id,
            bank=consent.bank,
            link_ref=fields["link_ref"],
            defaults={**fields, "synced_at": now},
        )
        known = set(
            BankTransaction.objects.filter(account=account, txn_id__in=[t["txn_id"] for t in txns]).values_list(
                "txn_id", flat=True
            )
        )
        fresh = [
            BankTransaction(account=account, business_id=consent.business_id, **t)
            for t in {t["txn_id"]: t for t in txns}.values()
            if t["txn_id"] not in known
        ]
        BankTransaction.objects.bulk_create(fresh, batch_size=2000)
        new += len(fresh)
    return len(accounts), new


def _sync_bank(sync: BankSync, consent: Consent, today: datetime.date) -> dict:
    result = {"bank": consent.bank, "status": "FAILED", "accounts": 0, "transactions": 0, "new_transactions": 0}
    date_from, date_to = _window(consent, today)
    started = time.monotonic()
    try:
        fetched = get_aggregator().fi_fetch(consent.consent_handle, date_from=date_from, date_to=date_to)
        accounts = _accounts_of(fetched.claims, consent)
    except AggregatorUnavailable as exc:
        _log_call(sync, consent, ok=False, status=exc.status, started=started, attempts=exc.attempts, error=str(exc))
        return _failed(consent, result, str(exc))
    except TokenRefused as exc:
        _log_call(sync, consent, ok=False, status="refused", started=started, error=str(exc))
        return _failed(consent, result, f"signature refused: {exc}")
    except (KeyError, ValueError, TypeError, decimal.InvalidOperation) as exc:
        _log_call(sync, consent, ok=False, status="invalid", started=started, error=repr(exc))
        return _failed(consent, result, f"malformed answer: {exc!r}")
    _log_call(sync, consent, ok=True, status="200", started=started, attempts=fetched.attempts)
    now = timezone.now()
    try:
        with transaction.atomic():
            count, new = _store(consent, accounts, now)
            Consent.objects.filter(pk=consent.pk).update(data_fetched_at=now, fetch_error="")
    except DatabaseError as exc:  # nothing of this bank was written: its last good data stands
        logger.exception("bank data of %s not stored", consent.bank)
        return _failed(consent, result, f"not stored: {exc}")
    txns = sum(len(t) for _, t in accounts)
    return {**result, "status": "DONE", "accounts": count, "transactions": txns, "new_transactions": new}


def _failed(consent: Consent, result: dict, error: str) -> dict:
    Consent.objects.filter(pk=consent.pk).update(fetch_failed_at=timezone.now(), fetch_error=error[:255])
    return {**result, "error": error[:255]}


def bank_sync_run(*, sync_id) -> BankSync:
    """The worker's part (apps/banking/tasks.py). Safe to run again: a finished sync is left as it is."""
    sync = BankSync.objects.get(pk=sync_id)
    if sync.status != BankSync.Status.RUNNING:
        return sync
    today = timezone.localdate()
    consents = list(Consent.objects.filter(business_id=sync.business_id, status=Consent.Status.ACTIVE).order_by("bank"))
    results = [_sync_bank(sync, consent, today) for consent in consents]
    with transaction.atomic():
        sync = BankSync.objects.select_for_update().get(pk=sync_id)
        if sync.status != BankSync.Status.RUNNING:
            return sync  # abandoned past its lease meanwhile: what was stored stands
        done = sum(1 for r in results if r["status"] == "DONE")
        if results and done == len(results):
            sync.finish()
        elif done:
            sync.finish_partly()
        else:
            sync.fail()
        sync.banks = results
        sync.finished_at = timezone.now()
        sync.save()
        summary = cash_flow_summary_save(business=sync.business)
        change = {"status": sync.status, "banks": {r["bank"]: r["status"] for r in results}}
        record("banking.sync_finished", obj=sync, after=change)
        event_emit(
            "banking.synced",
            aggregate=sync,
            payload={**change, "business_id": str(sync.business_id), "stale": summary.stale if summary else False},
        )
    return sync


def bank_data_sync_due(*, limit: int = 500) -> dict[str, int]:
    """The nightly job's work: every business with an active consent whose data is older than a
    day, run here one after another (the aggregator is asked outside any transaction)."""
    from apps.kyc.models import Business

    day_ago = timezone.now() - datetime.timedelta(hours=20)
    stale = Q(consents__data_fetched_at__isnull=True) | Q(consents__data_fetched_at__lt=day_ago)
    due = Business.objects.filter(stale, consents__status=Consent.Status.ACTIVE).distinct().order_by("pk")[:limit]
    counts = {"synced": 0, "partial": 0, "failed": 0, "skipped": 0}
    for business in due:
        try:
            sync, _ = bank_sync_start(business=business, force=True, run_now=True)
        except Conflict:
            counts["skipped"] += 1
            continue
        except Exception:  # one business's failure must not stop the night for the others
            logger.exception("nightly bank sync of business %s failed", business.pk)
            counts["failed"] += 1
            continue
        key = {"DONE": "synced", "PARTIAL": "partial"}.get(sync.status, "failed")
        counts[key] += 1
    return counts
