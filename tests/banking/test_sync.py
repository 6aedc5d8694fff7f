"""Fetching bank data: over the API, one sync per business at a time, each bank stored whole or
not at all, a failing bank leaving the last good data (and the answer stale), nothing twice."""

import datetime
import threading
import time
from decimal import Decimal

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import IntegrityError, connection
from django.utils import timezone

from apps.banking import providers
from apps.banking.models import BankAccount, BankCall, BankSync, BankTransaction, Consent, SandboxAaConsent
from apps.banking.sync import bank_sync_run, bank_sync_start
from apps.core.jobs_runner import run_job
from apps.core.models import Event
from tests.support.banking import SYNC, consents_approved, synced
from tests.support.lending import verified_business
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db


def _counts(business):
    return {
        bank: BankTransaction.objects.filter(business=business, account__bank=bank).count()
        for bank in ("HDFC", "ICICI", "SBI")
    }


def test_a_sync_stores_every_bank_and_a_second_adds_nothing_twice(borrower, borrower_client, client):
    business = verified_business(borrower)
    consents_approved(borrower_client, client)
    sync = synced(borrower_client)
    assert sync["status"] == "DONE"
    assert [(b["bank"], b["status"], b["accounts"]) for b in sync["banks"]] == [
        ("HDFC", "DONE", 1),
        ("ICICI", "DONE", 1),
        ("SBI", "DONE", 1),
    ]
    first = _counts(business)
    assert all(count > 250 for count in first.values())
    assert all(b["new_transactions"] == b["transactions"] for b in sync["banks"])
    # Within the hour the finished sync is the answer; forced, it fetches again and adds nothing.
    again = borrower_client.post(SYNC, {}, format="json")
    assert again.status_code == 200 and again.json()["sync_id"] == sync["id"]
    resync = synced(borrower_client, force=True)
    assert resync["status"] == "DONE" and resync["id"] != sync["id"]
    assert [b["new_transactions"] for b in resync["banks"]] == [0, 0, 0]
    assert _counts(business) == first
    emi = BankTransaction.objects.filter(business=business, category="EMI", counterparty="BAJAJ FINANCE LTD")
    assert emi.exists() and {t.amount for t in emi} == {Decimal("15415.70")}
    assert BankCall.objects.filter(business=business, ok=True, status="200").count() == 6
    assert Event.objects.filter(topic="banking.synced").count() == 2


def test_staff_sync_a_named_business_and_a_borrower_only_their_own(borrower, borrower_client, client, officer_client):
    other = make_user()
    verified_business(other)
    other_borrower_client = client_for(other)
    business = verified_business(borrower)
    consents_approved(borrower_client, client, banks=("AXIS",))
    assert officer_client.post(SYNC, {}, format="json").json()["code"] == "invalid"
    sync = synced(officer_client, business_id=business.pk)
    assert sync["status"] == "DONE"
    assert other_borrower_client.get(f"/api/v1/aa/syncs/{sync['id']}").status_code == 404
    assert other_borrower_client.post(SYNC, {"business_id": str(business.pk)}, format="json").status_code == 404
    assert borrower_client.get(f"/api/v1/aa/syncs/{sync['id']}").json()["status"] == "DONE"


def test_no_active_consent_is_a_409(borrower, borrower_client):
    verified_business(borrower)
    answer = borrower_client.post(SYNC, {}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "no_active_consent"


def test_a_second_sync_is_refused_while_one_runs(borrower, borrower_client, client):
    business = verified_business(borrower)
    consents_approved(borrower_client, client, banks=("AXIS",))
    first = borrower_client.post(SYNC, {}, format="json")
    assert first.status_code == 202 and first.json()["status"] == "RUNNING"
    second = borrower_client.post(SYNC, {"force": True}, format="json")
    assert second.status_code == 409 and second.json()["code"] == "sync_running"
    assert BankSync.objects.filter(business=business).count() == 1


def test_a_sync_abandoned_past_its_lease_frees_the_lock(borrower, borrower_client, client, settings):
    business = verified_business(borrower)
    consents_approved(borrower_client, client, banks=("AXIS",))
    lost = borrower_client.post(SYNC, {}, format="json").json()["sync_id"]
    BankSync.objects.filter(pk=lost).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    sync = synced(borrower_client)
    assert sync["status"] == "DONE" and sync["id"] != lost
    assert BankSync.objects.get(pk=lost).status == "FAILED"
    assert BankSync.objects.filter(business=business, status="RUNNING").count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_syncs_started_at_once_one_runs_the_other_is_refused(borrower, borrower_client, client):
    business = verified_business(borrower)
    consents_approved(borrower_client, client, banks=("AXIS",))
    barrier, outcomes = threading.Barrier(2), []

    def start():
        try:
            barrier.wait()
            bank_sync_start(business=business, actor=borrower, force=True)
            outcomes.append("started")
        except Exception as exc:  # noqa: BLE001 (the outcome is what is checked)
            outcomes.append(getattr(exc, "code", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["started", "sync_running"]
    assert BankSync.objects.filter(business=business, status="RUNNING").count() == 1


def test_a_bank_failing_keeps_its_last_good_data_and_the_answer_says_stale(borrower, borrower_client, client):
    business = verified_business(borrower)
    consents = consents_approved(borrower_client, client)
    synced(borrower_client)
    before = _counts(business)
    icici = BankAccount.objects.get(business=business, bank="ICICI")
    assert borrower_client.get("/api/v1/businesses/me/cash-flow").json()["stale"] is False

    client.post(f"/sandbox/aa/consents/{consents['ICICI']['consent_handle']}/outage")
    sync = synced(borrower_client, force=True)
    assert sync["status"] == "PARTIAL"
    failed = next(b for b in sync["banks"] if b["bank"] == "ICICI")
    assert failed["status"] == "FAILED" and "not answering" in failed["error"]
    assert _counts(business) == before
    assert BankAccount.objects.get(pk=icici.pk).synced_at == icici.synced_at
    logged = BankCall.objects.filter(business=business, bank="ICICI", ok=False).get()
    assert (logged.status, logged.attempts) == ("503", 3)
    assert borrower_client.get("/api/v1/businesses/me/cash-flow").json()["stale"] is True

    # The bank is back: the next sync is whole and the data fresh again.
    client.post(f"/sandbox/aa/consents/{consents['ICICI']['consent_handle']}/restore")
    assert synced(borrower_client, force=True)["status"] == "DONE"
    assert borrower_client.get("/api/v1/businesses/me/cash-flow").json()["stale"] is False


def test_a_bank_failing_while_its_data_is_written_leaves_no_half_written_account(
    borrower, borrower_client, client, monkeypatch
):
    business = verified_business(borrower)
    consents_approved(borrower_client, client, banks=("HDFC", "ICICI"))
    synced(borrower_client)
    # A month later the banks have more to say; ICICI's write fails half-way through.
    SandboxAaConsent.objects.update(expires_at=timezone.now() + datetime.timedelta(days=90))
    BankTransaction.objects.filter(business=business, account__bank="ICICI", date__gte="2026-01-01").delete()
    before = {a.bank: (a.balance, a.synced_at) for a in BankAccount.objects.filter(business=business)}
    icici_rows = BankTransaction.objects.filter(business=business, account__bank="ICICI").count()
    real_bulk_create = BankTransaction.objects.bulk_create

    def failing(rows, **kwargs):
        if rows and rows[0].account.bank == "ICICI":
            real_bulk_create(rows[:10], **kwargs)
            raise IntegrityError("the disk filled up")
        return real_bulk_create(rows, **kwargs)

    monkeypatch.setattr(BankTransaction.objects, "bulk_create", failing)
    sync = synced(borrower_client, force=True)
    assert sync["status"] == "PARTIAL"
    assert BankTransaction.objects.filter(business=business, account__bank="ICICI").count() == icici_rows
    icici = BankAccount.objects.get(business=business, bank="ICICI")
    assert (icici.balance, icici.synced_at) == before["ICICI"]
    assert Consent.objects.get(business=business, bank="ICICI").fetch_error.startswith("not stored")


def test_a_forged_data_answer_is_refused_and_nothing_is_stored(borrower, borrower_client, client, monkeypatch):
    business = verified_business(borrower)
    consents_approved(borrower_client, client, banks=("SBI",))
    impostor = ec.generate_private_key(ec.SECP256R1())

    def forged(claims, ttl_seconds=300):
        now = int(timezone.now().timestamp())
        body = {"iss": "sandbox-aa", "aud": "gst-credit-fiu", "iat": now, "exp": now + ttl_seconds, **claims}
        return jwt.encode(body, impostor, algorithm="ES256", headers={"kid": providers.SANDBOX_KID})

    monkeypatch.setattr(providers, "sandbox_sign", forged)
    sync = synced(borrower_client)
    assert sync["status"] == "FAILED" and "signature refused" in sync["banks"][0]["error"]
    assert not BankAccount.objects.filter(business=business).exists()
    assert BankCall.objects.get(business=business).status == "refused"


def test_the_nightly_job_syncs_every_business_with_an_active_consent(borrower, borrower_client, client):
    business = verified_business(borrower)
    consents_approved(borrower_client, client, banks=("AXIS", "SBI"))
    run = run_job("bank_data_sync", business_date=datetime.date.today(), triggered_by="test")
    assert run.status == "SUCCEEDED" and run.counts == {"synced": 1, "partial": 0, "failed": 0, "skipped": 0}
    assert BankSync.objects.get(business=business).trigger == "NIGHTLY"
    # Fetched within the day: the next night's run leaves it.
    again = run_job("bank_data_sync", business_date=datetime.date.today() + datetime.timedelta(days=1))
    assert again.counts["synced"] == 0


def test_a_worker_killed_mid_sync_leaves_it_running_and_the_redelivered_run_stores_nothing_twice(
    borrower, borrower_client, client, monkeypatch
):
    from apps.banking import sync as sync_module

    business = verified_business(borrower)
    consents_approved(borrower_client, client, banks=("HDFC", "ICICI"))
    sync_id = borrower_client.post(SYNC, {}, format="json").json()["sync_id"]
    real_store = sync_module._store

    def killed_at_the_second_bank(consent, accounts, now):
        if consent.bank == "ICICI":
            raise SystemExit("worker killed")
        return real_store(consent, accounts, now)

    monkeypatch.setattr(sync_module, "_store", killed_at_the_second_bank)
    with pytest.raises(SystemExit):
        bank_sync_run(sync_id=sync_id)
    monkeypatch.undo()
    assert BankSync.objects.get(pk=sync_id).status == "RUNNING"
    hdfc = BankTransaction.objects.filter(business=business, account__bank="HDFC").count()
    assert hdfc > 0 and not BankTransaction.objects.filter(business=business, account__bank="ICICI").exists()
    # acks_late: the message comes back and the run starts over.
    assert bank_sync_run(sync_id=sync_id).status == "DONE"
    assert BankTransaction.objects.filter(business=business, account__bank="HDFC").count() == hdfc
    assert BankTransaction.objects.filter(business=business, account__bank="ICICI").exists()
    assert bank_sync_run(sync_id=sync_id).status == "DONE"  # a third delivery: nothing to do


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_sync_the_api_queued(borrower, borrower_client, client):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    business = verified_business(borrower)
    consents_approved(borrower_client, client, banks=("AXIS",))
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=10):
        sync_id = borrower_client.post(SYNC, {}, format="json").json()["sync_id"]
        deadline = time.monotonic() + 30
        while BankSync.objects.get(pk=sync_id).status == "RUNNING" and time.monotonic() < deadline:
            time.sleep(0.2)
    assert BankSync.objects.get(pk=sync_id).status == "DONE"
    assert BankTransaction.objects.filter(business=business).exists()
