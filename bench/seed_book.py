"""Seed a synthetic book set-based: borrowers, businesses, invoices, offers, loans and 12
installments per loan, straight into the tables with generate_series (minutes, not hours, for
a million loans). Ids are derived from the row number so every table can be
filled by its own INSERT ... SELECT without lookups.

Triggers and FK checks are skipped while seeding (session_replication_role = replica): the
rows are built consistent by construction, and the point is the size of the book.

The book on the business date `day`: loan g was disbursed (g mod 365) days before `day`;
installments due before `day` are PAID and accrued, except for every 29th loan, whose oldest
past-due installment is unpaid (so DPD, SMA and NPA have work to do).
"""

import datetime

from django.db import connection

# One hex digit per table, then the row number: ids rise with insertion order, so every
# primary-key and foreign-key index is appended at its right edge instead of being written
# at random (random uuids made a million-loan seed take most of an hour).
_TABLE_DIGIT = {"u": "1", "b": "2", "i": "3", "o": "4", "l": "5", "t": "6"}


def _uuid(prefix: str, expr: str = "g") -> str:
    return f"('{_TABLE_DIGIT[prefix]}' || lpad(to_hex({expr}), 31, '0'))::uuid"


def seed_book(loans: int, *, day: datetime.date, borrowers_per_loan: int = 5, unpaid_every: int = 29) -> None:
    """`unpaid_every`: one loan in that many left its first installment unpaid (overdue)."""
    borrowers = max(1, loans // borrowers_per_loan)
    p = {"n": loans, "b": borrowers, "day": day, "unpaid_every": unpaid_every}
    statements = [
        "SET session_replication_role = replica",
        f"""INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email, is_staff,
                is_active, date_joined, role, phone, is_frozen, frozen_reason, token_version)
            SELECT {_uuid("u")}, '!', false, '+9190' || lpad(g::text, 8, '0'), '', '', '', false, true, now(),
                'BORROWER', '+9190' || lpad(g::text, 8, '0'), false, '', 0
            FROM generate_series(1, %(b)s) g""",
        f"""INSERT INTO kyc_business (id, created_at, updated_at, owner_id, legal_name, trade_name, owner_name, address,
                state_code, gstin, pan, aadhaar_hash, aadhaar_last4, gst_registration_date, gst_status,
                declared_turnover, kyc_status, kyc_reason)
            SELECT {_uuid("b")}, now(), now(), {_uuid("u")}, 'Business ' || g, '', 'Owner ' || g, 'Address', '27',
                '27' || lpad(g::text, 13, '0'), 'AAAAA' || lpad((g %% 10000)::text, 4, '0') || 'A', md5('a' || g),
                lpad((g %% 10000)::text, 4, '0'), %(day)s::date - 2000, 'ACTIVE', 50000000, 'VERIFIED', ''
            FROM generate_series(1, %(b)s) g""",
        f"""INSERT INTO invoices_invoice (id, created_at, updated_at, business_id, seller_gstin, invoice_number,
                financial_year, invoice_date, due_date, buyer_gstin, buyer_name, amount, status,
                verification_reference, status_reason)
            SELECT {_uuid("i")}, now(), now(), {_uuid("b", "((g - 1) %% %(b)s + 1)")},
                '27' || lpad(((g - 1) %% %(b)s + 1)::text, 13, '0'), 'INV' || g, '2026-27',
                %(day)s::date - 400, %(day)s::date - 300, '29AAACR5055K1Z3', 'Buyer', 60000, 'FINANCED', 'SBX', ''
            FROM generate_series(1, %(n)s) g""",
        f"""INSERT INTO loans_offer (id, created_at, updated_at, invoice_id, product_id, type, principal, annual_rate,
                tenure_months, emi, processing_fee, fee_gst, credit_grade, credit_score, valid_until, status,
                status_reason)
            SELECT {_uuid("o")}, now(), now(), {_uuid("i")}, (SELECT id FROM loans_loanproduct ORDER BY code LIMIT 1),
                'UNSECURED', 50000, 14, 12, 4489.30, 750, 135, 'A', 800, now(), 'ACCEPTED', ''
            FROM generate_series(1, %(n)s) g""",
        f"""INSERT INTO loans_loan (id, created_at, updated_at, borrower_id, business_id, invoice_id, offer_id,
                product_id, offer_type, credit_grade, principal, annual_rate, tenure_months, interest_method, emi,
                processing_fee, fee_gst, disbursed_amount, sanctioned_on, disbursed_on, status,
                asset_classification, dpd, bounce_count, outstanding_principal, outstanding_interest,
                outstanding_penalty, interest_suspense, penal_suspense, payout_status, payout_utr, contract_key,
                contract_sha256)
            SELECT {_uuid("l")}, now(), now(), {_uuid("u", "((g - 1) %% %(b)s + 1)")},
                {_uuid("b", "((g - 1) %% %(b)s + 1)")}, {_uuid("i")}, {_uuid("o")},
                (SELECT id FROM loans_loanproduct ORDER BY code LIMIT 1), 'UNSECURED', 'A', 50000, 14, 12,
                'REDUCING_BALANCE', 4489.30, 750, 135, 49115, %(day)s::date - (g %% 365), %(day)s::date - (g %% 365),
                'ACTIVE', 'STANDARD', 0, 0, 50000, 0, 0, 0, 0, 'SUCCEEDED', '', '', ''
            FROM generate_series(1, %(n)s) g""",
        f"""INSERT INTO loans_installment (id, created_at, updated_at, loan_id, number, due_date, principal_due,
                interest_due, penalty_due, principal_paid, interest_paid, penalty_paid, interest_accrued, status,
                paid_on)
            SELECT {_uuid("t", "g * 16 + n")}, now(), now(), {_uuid("l")}, n,
                (%(day)s::date - (g %% 365) + make_interval(months => n))::date, 3906.00, 583.30, 0,
                CASE WHEN paid THEN 3906.00 ELSE 0 END, CASE WHEN paid THEN 583.30 ELSE 0 END, 0, due_before,
                CASE WHEN paid THEN 'PAID' ELSE 'PENDING' END,
                CASE WHEN paid THEN (%(day)s::date - (g %% 365) + make_interval(months => n))::date END
            FROM generate_series(1, %(n)s) g, generate_series(1, 12) n,
                LATERAL (SELECT (%(day)s::date - (g %% 365) + make_interval(months => n))::date < %(day)s
                         AS due_before) d,
                LATERAL (SELECT d.due_before AND NOT (g %% %(unpaid_every)s = 0 AND n = 1) AS paid) q""",
        """UPDATE loans_loan l SET outstanding_principal = 50000 - s.paid, outstanding_interest = s.accrued_unpaid
            FROM (SELECT loan_id, sum(principal_paid) AS paid,
                         coalesce(sum(interest_due - interest_paid) FILTER (WHERE interest_accrued), 0)
                         AS accrued_unpaid
                  FROM loans_installment GROUP BY loan_id) s
            WHERE s.loan_id = l.id""",
        "SET session_replication_role = origin",
        "ANALYZE",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, p)
