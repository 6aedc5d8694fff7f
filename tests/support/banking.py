"""Bank data through the sandbox aggregator, as a borrower shares it: consents asked over the
API and approved in the aggregator's app, then a sync run as the worker runs it."""

from apps.banking.sync import bank_sync_run

CONSENTS = "/api/v1/aa/consents"
SYNC = "/api/v1/aa/sync"


def consents_approved(borrower_client, client, banks=("HDFC", "ICICI", "SBI"), months=12) -> dict:
    """{bank: consent} for `banks`, every one ACTIVE."""
    asked = borrower_client.post(CONSENTS, {"banks": list(banks), "months": months}, format="json")
    assert asked.status_code == 201, asked.content
    for consent in asked.json():
        decided = client.post(f"/sandbox/aa/consents/{consent['consent_handle']}/approve")
        assert decided.json()["status"] == "ACTIVE", decided.content
    return {consent["bank"]: consent for consent in asked.json()}


def synced(api_client, *, force=False, business_id=None) -> dict:
    """POST /aa/sync, then the worker's run; the sync as GET /aa/syncs/{id} shows it."""
    body = {"force": force, **({"business_id": str(business_id)} if business_id else {})}
    started = api_client.post(SYNC, body, format="json")
    assert started.status_code in (200, 202), started.content
    bank_sync_run(sync_id=started.json()["sync_id"])
    return api_client.get(f"/api/v1/aa/syncs/{started.json()['sync_id']}").json()
