"""Double-entry books. PostgreSQL keeps them honest: CHECKs on every line, a deferred trigger
that refuses an unbalanced or one-legged entry at commit, and triggers that refuse UPDATE and
DELETE. Balances are snapshots maintained in the posting transaction, rebuilt from the journal
by `manage.py rebuild_balances`."""

import uuid

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.money import TOTAL_DIGITS, ZERO, LedgerAmountField
from apps.ledger import chart


class Account(models.Model):
    class Type(models.TextChoices):
        ASSET = chart.ASSET
        LIABILITY = chart.LIABILITY
        EQUITY = chart.EQUITY
        INCOME = chart.INCOME
        EXPENSE = chart.EXPENSE

    code = models.CharField(max_length=8, primary_key=True)
    name = models.CharField(max_length=120)
    type = models.CharField(max_length=16, choices=Type.choices)

    class Meta:
        ordering = ["code"]
        triggers = [pgtrigger.Protect(name="account_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def debit_normal(self) -> bool:
        return self.type in chart.DEBIT_NORMAL


class JournalEntry(models.Model):
    class Type(models.TextChoices):
        DISBURSEMENT = "DISBURSEMENT"
        FEE = "FEE"
        INTEREST_DUE = "INTEREST_DUE"
        REPAYMENT = "REPAYMENT"
        BOUNCE_CHARGE = "BOUNCE_CHARGE"
        PENAL_CHARGE = "PENAL_CHARGE"
        SUSPENSE = "SUSPENSE"
        RECOVERY = "RECOVERY"
        WRITE_OFF = "WRITE_OFF"
        WAIVER = "WAIVER"
        UNAPPLIED_CREDIT = "UNAPPLIED_CREDIT"
        REVERSAL = "REVERSAL"
        ADJUSTMENT = "ADJUSTMENT"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entry_type = models.CharField(max_length=16, choices=Type.choices)
    business_date = models.DateField()
    posted_at = models.DateTimeField(default=timezone.now)
    memo = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    idempotency_key = models.CharField(max_length=128, unique=True)
    content_hash = models.CharField(max_length=64)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    # Plain UUIDs: the ledger sits below loans and must not know their tables.
    loan_id = models.UUIDField(null=True, blank=True)
    source_type = models.CharField(max_length=64, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    # Set by the database; lines may only join an entry created in their own transaction.
    txid = models.BigIntegerField(db_default=models.Func(function="txid_current"), editable=False)

    class Meta:
        verbose_name_plural = "journal entries"
        ordering = ["-posted_at"]
        indexes = [
            models.Index(fields=["loan_id", "business_date"], name="ix_entry_loan_date"),
            models.Index(fields=["business_date", "entry_type"], name="ix_entry_date_type"),
        ]
        triggers = [
            pgtrigger.Protect(name="entry_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            pgtrigger.Trigger(
                name="entry_balanced_at_commit",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                timing=pgtrigger.Deferred,
                func="""
                DECLARE n integer; dr numeric; cr numeric;
                BEGIN
                    SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0) INTO n, dr, cr
                    FROM ledger_journalline WHERE entry_id = NEW.id;
                    IF n < 2 THEN
                        RAISE EXCEPTION 'journal entry % has % line(s); at least two are required', NEW.id, n
                            USING ERRCODE = '23514';
                    END IF;
                    IF dr <> cr THEN
                        RAISE EXCEPTION 'journal entry % is unbalanced: debits % <> credits %', NEW.id, dr, cr
                            USING ERRCODE = '23514';
                    END IF;
                    RETURN NULL;
                END;
                """,
            ),
        ]

    def __str__(self):
        return f"{self.business_date} {self.entry_type} {self.memo[:40]}"


class JournalLine(models.Model):
    id = models.BigAutoField(primary_key=True)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    # Indexed by ix_line_account_entry below; the FK's own index would be a second copy.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines", db_index=False)
    debit = LedgerAmountField(default=ZERO)
    credit = LedgerAmountField(default=ZERO)
    loan_id = models.UUIDField(null=True, blank=True)
    borrower_id = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(debit=0) & Q(credit__gt=0)),
                name="ck_line_exactly_one_side_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["loan_id", "account"], name="ix_line_loan_account"),
            models.Index(fields=["account", "entry"], name="ix_line_account_entry"),
        ]
        triggers = [
            pgtrigger.Protect(name="line_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            # The balance check runs once per entry at commit; this keeps a later transaction
            # from slipping a line into an entry that was already checked. Statement-level, so
            # a posting's lines are checked together rather than one by one.
            pgtrigger.Trigger(
                name="line_joins_own_transaction_entry",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                level=pgtrigger.Statement,
                referencing=pgtrigger.Referencing(new="new_lines"),
                func="""
                IF EXISTS (
                    SELECT 1 FROM new_lines n JOIN ledger_journalentry e ON e.id = n.entry_id
                    WHERE e.txid <> txid_current()
                ) THEN
                    RAISE EXCEPTION 'lines can only be added to an entry in the transaction that creates it'
                        USING ERRCODE = '23514';
                END IF;
                RETURN NULL;
                """,
            ),
        ]

    def __str__(self):
        side = f"Dr {self.debit}" if self.debit else f"Cr {self.credit}"
        return f"{self.account_id} {side}"


# Each account's snapshot is split over this many rows ("stripes"); a posting adds to one of
# them, chosen from its entry id. Postings to the same hot account (the bank, interest income)
# then rarely wait on each other's row lock, and an account's balance is the sum of its stripes.
STRIPES = 8


class AccountBalanceStripe(models.Model):
    """One stripe of an account's totals, maintained by the posting function."""

    id = models.BigAutoField(primary_key=True)
    # No FK constraint on the snapshots: they are derived from lines whose own FK guarantees the
    # code, and a check here would run while the hot balance row is locked.
    account = models.ForeignKey(Account, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    stripe = models.PositiveSmallIntegerField()
    # A hot account's running totals: room for the whole book.
    debit_total = LedgerAmountField(default=ZERO, max_digits=TOTAL_DIGITS)
    credit_total = LedgerAmountField(default=ZERO, max_digits=TOTAL_DIGITS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "stripe"], name="uq_balance_account_stripe"),
            models.CheckConstraint(condition=Q(stripe__lt=STRIPES), name="ck_balance_stripe_range"),
        ]

    def __str__(self):
        return f"{self.account_id}/{self.stripe}: {self.balance}"

    @property
    def balance(self):
        return self.debit_total - self.credit_total


class AccountLoanBalance(models.Model):
    """Snapshot per account and loan: the sub-ledger loans reconcile against."""

    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(Account, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    loan_id = models.UUIDField()
    debit_total = LedgerAmountField(default=ZERO)
    credit_total = LedgerAmountField(default=ZERO)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["loan_id", "account"], name="uq_loan_balance_loan_account")]

    def __str__(self):
        return f"{self.loan_id} {self.account_id}: {self.balance}"

    @property
    def balance(self):
        return self.debit_total - self.credit_total
