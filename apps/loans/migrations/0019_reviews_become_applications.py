"""A REVIEW risk decision now holds an application, not the invoice. Every invoice still waiting
under the old hold (VERIFIED, audited "offer.review_required", not yet offered) becomes an
UNDER_REVIEW application on the officers' worklist, with the decision's reasons and the
business's newest score; one an officer had already approved for offers carries that approval
among its reasons, to be confirmed on the new worklist. An invoice offered since its latest
review is not held any more and is left alone. Frozen: plain SQL over the tables as they are
(invoices 0006)."""

from django.db import migrations

HELD = """
WITH held AS (
    SELECT DISTINCT ON (i.id) i.id AS invoice_id, i.business_id, i.amount, a.at, a.reason,
           i.risk_approved_reason
    FROM invoices_invoice i
    JOIN audit_auditlog a ON a.object_type = 'invoices.invoice' AND a.object_id = i.id::text
                          AND a.action = 'offer.review_required'
    WHERE i.status = 'VERIFIED'
      AND NOT EXISTS (SELECT 1 FROM loans_loanapplication x
                      WHERE x.invoice_id = i.id AND x.status IN ('SUBMITTED', 'UNDER_REVIEW'))
    ORDER BY i.id, a.at DESC
), still_held AS (
    -- Offered since its latest review (the limit was raised, or it was approved and offered and
    -- the offers lapsed): the hold is over, and the next POST /offers/generate decides afresh.
    SELECT h.* FROM held h
    WHERE NOT EXISTS (SELECT 1 FROM audit_auditlog o
                      WHERE o.object_type = 'invoices.invoice' AND o.object_id = h.invoice_id::text
                        AND o.action = 'invoice.offered' AND o.at > h.at)
), product AS (
    SELECT * FROM loans_loanproduct WHERE is_active ORDER BY code LIMIT 1
)
INSERT INTO loans_loanapplication (id, created_at, updated_at, business_id, invoice_id, product_id,
    requested_amount, tenure_months, status, decision, reasons, submitted_at, decision_reason, credit_score_id)
SELECT gen_random_uuid(), now(), now(), h.business_id, h.invoice_id, p.id,
    LEAST(p.max_principal,
          round(h.amount * GREATEST(p.secured_advance_pct, p.unsecured_advance_pct) / 100, 2)),
    p.tenure_months, 'UNDER_REVIEW', 'REVIEW',
    to_jsonb(string_to_array(h.reason, '; ')
             || CASE WHEN h.risk_approved_reason <> ''
                     THEN ARRAY['approved for offers before applications: ' || h.risk_approved_reason]
                     ELSE ARRAY[]::text[] END),
    h.at, '',
    -- The business's newest score, as the review saw it (the approval prices the offers on it).
    (SELECT c.id FROM risk_creditscore c WHERE c.business_id = h.business_id ORDER BY c.computed_at DESC LIMIT 1)
FROM still_held h CROSS JOIN product p
WHERE round(h.amount * GREATEST(p.secured_advance_pct, p.unsecured_advance_pct) / 100, 2) >= p.min_principal
"""


# Applications are newer than the hold, and nothing kept two of them open for one invoice: all
# but the newest open one of each invoice are closed before 0020's constraint holds them to one.
CLOSE_EXTRA_OPEN = """
WITH closed AS (
    UPDATE loans_loanapplication a SET status = 'REJECTED', decided_at = now(), updated_at = now(),
        decision_reason = 'closed: another application for this invoice was waiting (one at a time from now on)'
    WHERE a.status IN ('SUBMITTED', 'UNDER_REVIEW')
      AND EXISTS (SELECT 1 FROM loans_loanapplication b
                  WHERE b.invoice_id = a.invoice_id AND b.status IN ('SUBMITTED', 'UNDER_REVIEW')
                    AND (b.created_at, b.id) > (a.created_at, a.id))
    RETURNING a.id, a.decision_reason
)
INSERT INTO audit_auditlog (id, at, actor_role, action, object_type, object_id, before, after, reason, request_id)
SELECT gen_random_uuid(), now(), 'SYSTEM', 'application.rejected', 'loans.loanapplication', id::text,
       '{"status": "UNDER_REVIEW"}', '{"status": "REJECTED"}', decision_reason, 'migration loans 0019'
FROM closed
"""


def held_invoices_to_applications(apps, schema_editor):
    schema_editor.execute(CLOSE_EXTRA_OPEN)
    schema_editor.execute(HELD)


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0018_penal_charges_start_at_go_live"),
        ("invoices", "0006_worklist_risk_review"),
        ("audit", "0001_initial"),
        ("risk", "0003_confirmed_index"),
    ]

    operations = [
        migrations.RunPython(held_invoices_to_applications, migrations.RunPython.noop),
    ]
