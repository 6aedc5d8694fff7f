"""Stand-ins for outside services, scripted per test."""

from apps.loans.providers import PayoutResult


class ScriptedProvider:
    """A payout rail that answers each disbursement with the next of `outcomes` (a PayoutStatus,
    or an exception to raise) and records the references it was sent."""

    def __init__(self, *outcomes):
        self.outcomes, self.references = list(outcomes), []

    def disburse(self, *, reference, amount, beneficiary):
        self.references.append(reference)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        utr = f"UTR-{reference}"[:64] if outcome == "SUCCEEDED" else ""  # one per payout, as a bank's
        return PayoutResult(status=outcome, reference=reference, utr=utr)
