"""Invoice state changes beside the FSM (models.py), one row or set-based, each with the audit
row its one-row path writes (apps.audit.transitions.AuditedTransition)."""

from apps.audit.transitions import AuditedTransition
from apps.invoices.models import Invoice

# Every offer of the invoice expired or was withdrawn: it may be offered again. Invoice.reopen
# sets status_reason to its argument; the set-based path is given it as `status_reason=`.
INVOICE_REOPENED = AuditedTransition(Invoice.reopen, "invoice.reopened")
INVOICE_FINANCED = AuditedTransition(Invoice.mark_financed, "invoice.financed")
INVOICE_UNFINANCED = AuditedTransition(Invoice.unfinance, "invoice.unfinanced")
