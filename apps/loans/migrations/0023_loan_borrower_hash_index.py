"""The close of business in parts (apps/repayments/loan_chunks.Partition) finds a part's loans by
a range of this hash of the borrower's id: indexed, a part reads its share of the loans instead
of hashing every loan of the book in every statement. Built without locking writes out."""

from django.db import migrations

CREATE = """CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_loan_borrower_hash
    ON loans_loan ((hashtext(borrower_id::text) & 2147483647))"""
DROP = "DROP INDEX CONCURRENTLY IF EXISTS ix_loan_borrower_hash"


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("loans", "0022_fill_loan_credit_grade")]

    operations = [migrations.RunSQL(CREATE, DROP)]
