"""Human references for what ops talk about on the phone: `LN-2026-000123` for a loan,
`AP-2026-000045` for an application (an invoice put up for finance), later collection cases.

PostgreSQL writes them at insert, as the column's default: one sequence per kind (so concurrent
inserts never collide and nothing reads max()+1), the year of creation in India, and at least six
digits (more when the book outgrows them, never truncated). Any insert path gets one, bulk or not.
"""

from django.db import models

# The function itself is installed by core's migration 0008_reference_function.


def next_reference(prefix: str, sequence: str) -> models.Func:
    """The column default, `reference_next('LN', 'loans_loan_reference_seq')`: a plain Func, so
    migrations record it with Django's own classes and import nothing of ours."""
    return models.Func(
        models.Value(prefix), models.Value(sequence), function="reference_next", output_field=models.CharField()
    )


def reference_field(prefix: str, sequence: str) -> models.CharField:
    return models.CharField(
        max_length=24,
        unique=True,
        editable=False,
        db_default=next_reference(prefix, sequence),
        verbose_name="reference",
    )
