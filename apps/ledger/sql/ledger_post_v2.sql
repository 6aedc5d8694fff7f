CREATE OR REPLACE FUNCTION ledger_post(
    p_id uuid, p_type varchar, p_day date, p_memo varchar, p_actor uuid, p_key varchar, p_hash varchar,
    p_reverses uuid, p_loan uuid, p_source_type varchar, p_source_id varchar,
    p_accounts varchar[], p_debits numeric[], p_credits numeric[], p_loans uuid[], p_borrowers uuid[]
) RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
    v_posted timestamptz;
BEGIN
    INSERT INTO ledger_journalentry
        (id, entry_type, business_date, posted_at, memo, actor_id, idempotency_key, content_hash,
         reverses_id, loan_id, source_type, source_id)
    VALUES (p_id, p_type, p_day, now(), p_memo, p_actor, p_key, p_hash, p_reverses, p_loan,
            p_source_type, p_source_id)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING posted_at INTO v_posted;
    IF v_posted IS NULL THEN
        RETURN NULL;  -- the key was posted before; the caller compares content
    END IF;

    INSERT INTO ledger_journalline (entry_id, account_id, debit, credit, loan_id, borrower_id)
    SELECT p_id, a, d, c, l, b FROM unnest(p_accounts, p_debits, p_credits, p_loans, p_borrowers) AS u(a, d, c, l, b);

    INSERT INTO ledger_accountloanbalance AS t (loan_id, account_id, debit_total, credit_total)
    SELECT l, a, sum(d), sum(c) FROM unnest(p_accounts, p_debits, p_credits, p_loans) AS u(a, d, c, l)
    WHERE l IS NOT NULL
    GROUP BY l, a ORDER BY l, a
    ON CONFLICT (loan_id, account_id) DO UPDATE
        SET debit_total = t.debit_total + EXCLUDED.debit_total,
            credit_total = t.credit_total + EXCLUDED.credit_total;

    -- Last, so the shared rows are held for as short a time as possible before COMMIT.
    INSERT INTO ledger_accountbalancestripe AS t (account_id, stripe, debit_total, credit_total)
    SELECT a, get_byte(uuid_send(p_id), 15) % 8, sum(d), sum(c)
    FROM unnest(p_accounts, p_debits, p_credits) AS u(a, d, c)
    GROUP BY a ORDER BY a
    ON CONFLICT (account_id, stripe) DO UPDATE
        SET debit_total = t.debit_total + EXCLUDED.debit_total,
            credit_total = t.credit_total + EXCLUDED.credit_total;

    RETURN v_posted;
END;
$$;
