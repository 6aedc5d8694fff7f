"""RBI's buckets (DESIGN.md): 0 STANDARD, 1-30 SMA-0, 31-60 SMA-1, 61-90 SMA-2, more than 90 NPA."""

BUCKETS = [(0, "STANDARD"), (30, "SMA_0"), (60, "SMA_1"), (90, "SMA_2")]


def classify(dpd: int) -> str:
    for ceiling, name in BUCKETS:
        if dpd <= ceiling:
            return name
    return "NPA"


# The same rule as SQL, so the nightly job classifies the whole book in one statement.
CLASSIFY_SQL = (
    "CASE WHEN {dpd} = 0 THEN 'STANDARD' WHEN {dpd} <= 30 THEN 'SMA_0' WHEN {dpd} <= 60 THEN 'SMA_1' "
    "WHEN {dpd} <= 90 THEN 'SMA_2' ELSE 'NPA' END"
)
