"""RBI's asset classification by days past due (DESIGN.md): 0 STANDARD, 1-30 SMA-0, 31-60 SMA-1,
61-90 SMA-2, more than 90 NPA.

BUCKETS is the one definition. From it: `classify` (Python), `classification_sql` (the CASE the
close of business classifies the whole book with, its ceilings bound as parameters) and
`DPD_BUCKETS` (the Q objects the portfolio report counts with).
"""

from django.db.models import Q

from apps.loans.models import Loan

C = Loan.Classification

# (the highest DPD in the bucket, its classification), in rising order; beyond the last is NPA.
BUCKETS: tuple[tuple[int, Loan.Classification], ...] = (
    (0, C.STANDARD),
    (30, C.SMA_0),
    (60, C.SMA_1),
    (90, C.SMA_2),
)
BEYOND = C.NPA
NPA_AFTER = BUCKETS[-1][0]  # DPD above this is NPA


def classify(dpd: int) -> Loan.Classification:
    for ceiling, classification in BUCKETS:
        if dpd <= ceiling:
            return classification
    return BEYOND


def classification_sql(dpd: str) -> tuple[str, dict]:
    """`classify` as a SQL CASE over the column or expression `dpd` (code, never input), and
    the parameters it binds: {"rbi_ceiling_<n>": ..., "rbi_class_<n>": ..., "rbi_beyond": ...}."""
    whens = " ".join(f"WHEN {dpd} <= %(rbi_ceiling_{n})s THEN %(rbi_class_{n})s" for n in range(len(BUCKETS)))
    params = {"rbi_beyond": str(BEYOND)}
    for n, (ceiling, classification) in enumerate(BUCKETS):
        params[f"rbi_ceiling_{n}"] = ceiling
        params[f"rbi_class_{n}"] = str(classification)
    return f"CASE {whens} ELSE %(rbi_beyond)s END", params


def _dpd_buckets() -> dict[str, Q]:
    """The buckets as DPD ranges for reports, labelled "0", "1-30", ..., "90+"."""
    buckets, floor = {}, 0
    for ceiling, _ in BUCKETS:
        label = str(ceiling) if floor == ceiling else f"{floor}-{ceiling}"
        buckets[label] = Q(dpd=ceiling) if floor == ceiling else Q(dpd__gte=floor, dpd__lte=ceiling)
        floor = ceiling + 1
    buckets[f"{NPA_AFTER}+"] = Q(dpd__gt=NPA_AFTER)
    return buckets


DPD_BUCKETS = _dpd_buckets()
