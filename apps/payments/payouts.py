"""The rail's word on payouts (`payout.succeeded`, `payout.failed`): applied through the loans'
one settling service, so a webhook, the rail's own answer and ops' UTR cannot settle one payout
two ways. An event for a payout already settled the same way changes nothing."""

from apps.loans.services import payout_settle
from apps.payments.webhooks import applies


def _result(payout) -> dict:
    return {"payout": payout.reference, "status": str(payout.status), "loan": str(payout.loan_id)}


@applies("payout.succeeded")
def _apply_payout_succeeded(event) -> dict:
    data = event.data
    payout = payout_settle(
        reference=str(data.get("reference") or ""), succeeded=True, utr=str(data.get("utr") or ""), by="webhook"
    )
    return _result(payout)


@applies("payout.failed")
def _apply_payout_failed(event) -> dict:
    data = event.data
    payout = payout_settle(
        reference=str(data.get("reference") or ""),
        succeeded=False,
        reason=str(data.get("reason") or "failed at the rail")[:255],
        by="webhook",
    )
    return _result(payout)
