"""A REVIEW risk decision now holds an application, not the invoice. Every invoice still waiting
under the old hold (VERIFIED, audited "offer.review_required", not yet offered) becomes an
UNDER_REVIEW application on the officers' worklist, with the decision's reasons; one an officer
had already approved for offers carries that approval among its reasons, to be confirmed on the
new worklist. Frozen: plain SQL over the tables as they are (invoices 0006)."""

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
), product AS (
    SELECT * FROM loans_loanproduct WHERE is_active ORDER BY code LIMIT 1
)
INSERT INTO loans_loanapplication (id, created_at, updated_at, business_id, invoice_id, product_id,
    requested_amount, tenure_months, status, decision, reasons, submitted_at, decision_reason)
SELECT gen_random_uuid(), now(), now(), h.business_id, h.invoice_id, p.id,
    LEAST(p.max_principal,
          round(h.amount * GREATEST(p.secured_advance_pct, p.unsecured_advance_pct) / 100, 2)),
    p.tenure_months, 'UNDER_REVIEW', 'REVIEW',
    to_jsonb(string_to_array(h.reason, '; ')
             || CASE WHEN h.risk_approved_reason <> ''
                     THEN ARRAY['approved for offers before applications: ' || h.risk_approved_reason]
                     ELSE ARRAY[]::text[] END),
    h.at, ''
FROM held h CROSS JOIN product p
WHERE round(h.amount * GREATEST(p.secured_advance_pct, p.unsecured_advance_pct) / 100, 2) >= p.min_principal
"""


def held_invoices_to_applications(apps, schema_editor):
    schema_editor.execute(HELD)


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0018_penal_charges_start_at_go_live"),
        ("invoices", "0006_worklist_risk_review"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(held_invoices_to_applications, migrations.RunPython.noop),
    ]
