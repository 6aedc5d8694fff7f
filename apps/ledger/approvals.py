"""Four-eyes kinds of the ledger (apps/audit/approvals.py): a ledger adjustment — the reversal
of a journal entry, with a reason — is asked for by one staff user and posted when a different
ADMIN approves it, on the business date of the approval (a closed day is never posted into).

Only an entry whose lines the loans' own records do not mirror is reversed by hand. An entry on
a receivable, a suspense account or a borrower's advance has its twin in the installments, the
loan's balances or a parked credit; reversing it alone would part the ledger from them, so it is
corrected by its own operation instead (a bounce for a payment, a waiver for a charge, a refund
for a parked credit) and asking for it is a 409 naming why.
"""

from apps.audit.approvals import approval_kind, approval_request, refuse_if_pending
from apps.audit.models import Approval
from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, found
from apps.ledger import chart
from apps.ledger.models import JournalEntry
from apps.ledger.services import journal_reverse

MIRRORED_ACCOUNTS = {
    chart.LOAN_PRINCIPAL: "a loan's principal",
    chart.INTEREST_RECEIVABLE: "interest receivable",
    chart.CHARGES_RECEIVABLE: "charges receivable",
    chart.INTEREST_SUSPENSE: "interest in suspense",
    chart.PENAL_SUSPENSE: "penal charges in suspense",
    chart.BORROWER_ADVANCES: "a borrower's parked credit",
}


# Entries whose accounts are ledger-only but whose amount a record of ours keeps as well.
MIRRORED_TYPES = {JournalEntry.Type.RECOVERY: "its recovery action's recovered amount"}


def reversal_refusal(entry: JournalEntry) -> Conflict | None:
    """Why `entry` cannot be reversed by hand, or None."""
    if entry.entry_type == JournalEntry.Type.REVERSAL:
        return Conflict("A reversal is corrected by a new entry, not reversed again.", code="entry_is_reversal")
    if JournalEntry.objects.filter(reverses=entry).exists():
        return Conflict("This entry is already reversed.", code="already_reversed")
    if entry.entry_type in MIRRORED_TYPES:
        return Conflict(
            f"A {entry.get_entry_type_display().lower()} entry is mirrored by {MIRRORED_TYPES[entry.entry_type]}: "
            "correct it by its operation.",
            code="reverse_by_operation",
        )
    accounts = set(entry.lines.values_list("account_id", flat=True))
    mirrored = sorted(MIRRORED_ACCOUNTS[code] for code in accounts if code in MIRRORED_ACCOUNTS)
    if mirrored:
        return Conflict(
            f"This entry posts to {', '.join(mirrored)}, which the loan's own records mirror: correct it by its "
            "operation (a bounce for a payment, a waiver for a charge, a refund for a parked credit).",
            code="reverse_by_operation",
        )
    return None


def reversible(entry: JournalEntry) -> bool:
    return reversal_refusal(entry) is None


@approval_kind("ledger_reversal", "Reverse a journal entry (ledger adjustment)")
def _reverse(payload: dict, *, actor) -> dict:
    entry = JournalEntry.objects.get(pk=payload["entry_id"])
    refusal = reversal_refusal(entry)
    if refusal is not None:
        raise refusal
    reversal = journal_reverse(entry=entry, reason=payload["reason"], actor=actor, business_date=get_business_date())
    return {"reversal_id": str(reversal.pk)}


def ledger_reversal_request(*, entry_id, reason: str, actor, request_id=None) -> Approval:
    """Checked now and again on approval (the entry may have been reversed meanwhile)."""
    entry = found(JournalEntry.objects.filter(pk=entry_id).first(), "Journal entry not found.")
    refusal = reversal_refusal(entry)
    if refusal is not None:
        raise refusal
    refuse_if_pending("ledger_reversal", entry.pk, "A reversal of this entry already waits for approval.")
    return approval_request(
        kind="ledger_reversal",
        object_type="ledger.journalentry",
        object_id=entry.pk,
        payload={"entry_id": str(entry.pk), "reason": reason},
        reason=reason,
        actor=actor,
        request_id=request_id,
    )
