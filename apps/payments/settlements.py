"""Settlement reconciliation: what the rail says it paid into our collection account against
what we booked.

Ops upload the rail's settlement CSV (`provider_reference,utr,amount,settled_on`). The whole
file is checked first (a bad line refuses the file and stores nothing); then each row is
matched by UTR to what we booked under it (repayments, and credits parked beyond a loan's
dues): MATCHED when the amounts agree, MISMATCHED when they do not, UNMATCHED when nothing was
booked. Breaks stay in the console until ops resolve them with a note. Nightly, the repayments
the rail collected more than two days ago that no settlement confirmed are counted (and listed
in the console), since money the rail says it took but never paid in is money lost.
"""

import csv
import datetime
import hashlib
import io
from collections import defaultdict
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from apps.audit.services import record
from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, InvalidInput, found, required_reason
from apps.core.money import RUPEES_TEXT, to_decimal
from apps.payments.models import PaymentIntent, SettlementFile, SettlementRow, UnappliedCredit, UnsettledRepayment
from apps.repayments.models import Repayment

COLUMNS = ("provider_reference", "utr", "amount", "settled_on")
MAX_ROWS = 100_000
MAX_BYTES = 20 * 1024 * 1024
# The channels through which the rail itself collected (not offline payments, not credits).
RAIL_CHANNELS = [str(method) for method in PaymentIntent.Method.values]
SETTLEMENT_GRACE = datetime.timedelta(days=2)


def _parse(content: bytes) -> list[dict]:
    if len(content) > MAX_BYTES:
        raise InvalidInput(f"At most {MAX_BYTES // (1024 * 1024)} MB.", field="file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("A CSV file in UTF-8.", field="file") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in COLUMNS if name not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(f"Missing columns: {', '.join(missing)} (expected {','.join(COLUMNS)}).", field="file")
    rows = []
    for number, row in enumerate(reader, start=2):  # line 1 is the header
        if len(rows) >= MAX_ROWS:
            raise InvalidInput(f"At most {MAX_ROWS} rows.", field="file")
        utr = (row.get("utr") or "").strip()
        amount = (row.get("amount") or "").strip()
        if not utr or len(utr) > 64:
            raise InvalidInput(f"Line {number}: a UTR of 1 to 64 characters.", field="file")
        if not RUPEES_TEXT.fullmatch(amount) or to_decimal(amount) <= 0:
            raise InvalidInput(f"Line {number}: an amount in rupees, e.g. 1500.00.", field="file")
        try:
            settled_on = datetime.date.fromisoformat((row.get("settled_on") or "").strip())
        except ValueError:
            raise InvalidInput(f"Line {number}: settled_on as YYYY-MM-DD.", field="file") from None
        rows.append(
            {
                "line_number": number,
                "provider_reference": (row.get("provider_reference") or "").strip()[:64],
                "utr": utr,
                "amount": to_decimal(amount),
                "settled_on": settled_on,
            }
        )
    if not rows:
        raise InvalidInput("The file has no rows.", field="file")
    return rows


def booked_by_utr(utrs) -> dict[str, tuple[Decimal, object]]:
    """What we booked under each UTR: its repayments (not the application of a parked credit,
    which re-uses the UTR) plus credits parked beyond the dues; with the loan."""
    booked: dict = defaultdict(lambda: [Decimal(0), None])
    for utr, loan_id, amount in (
        Repayment.objects.filter(external_reference__in=utrs)
        .exclude(channel="CREDIT")
        .values("external_reference", "loan_id")
        .annotate(total=Sum("amount"))
        .values_list("external_reference", "loan_id", "total")
    ):
        booked[utr][0] += amount
        booked[utr][1] = loan_id
    for utr, loan_id, amount in UnappliedCredit.objects.filter(utr__in=utrs).values_list("utr", "loan_id", "amount"):
        booked[utr][0] += amount
        booked[utr][1] = booked[utr][1] or loan_id
    return {utr: (total, loan) for utr, (total, loan) in booked.items()}


def _status(row: dict, booked) -> tuple[str, Decimal | None, object]:
    if row["utr"] not in booked:
        return SettlementRow.Status.UNMATCHED, None, None
    amount, loan = booked[row["utr"]]
    status = SettlementRow.Status.MATCHED if amount == row["amount"] else SettlementRow.Status.MISMATCHED
    return status, amount, loan


@transaction.atomic
def settlement_upload(*, name: str, content: bytes, actor) -> SettlementFile:
    rows = _parse(content)
    digest = hashlib.sha256(content).hexdigest()
    booked = booked_by_utr({row["utr"] for row in rows})
    try:
        with transaction.atomic():
            upload = SettlementFile.objects.create(
                name=(name or "settlement.csv")[:255], sha256=digest, uploaded_by=actor
            )
    except IntegrityError:
        raise Conflict("This file was already uploaded.", code="settlement_duplicate", field="file") from None
    lines = []
    for row in rows:
        status, amount, loan = _status(row, booked)
        lines.append(SettlementRow(file=upload, status=status, booked_amount=amount, loan_id=loan, **row))
    SettlementRow.objects.bulk_create(lines, batch_size=5000)
    counts = {status: sum(1 for line in lines if line.status == status) for status in SettlementRow.Status.values}
    upload.rows = len(lines)
    upload.matched = counts[SettlementRow.Status.MATCHED]
    upload.unmatched = counts[SettlementRow.Status.UNMATCHED]
    upload.mismatched = counts[SettlementRow.Status.MISMATCHED]
    upload.save(update_fields=["rows", "matched", "unmatched", "mismatched", "updated_at"])
    record(
        "settlement.uploaded",
        obj=upload,
        after={
            "name": upload.name,
            "rows": upload.rows,
            "matched": upload.matched,
            "breaks": len(lines) - upload.matched,
        },
        actor=actor,
    )
    return upload


@transaction.atomic
def settlement_row_resolve(*, row_id, actor, reason: str) -> SettlementRow:
    reason = required_reason(reason, "A note on how it was resolved is required.")
    row = found(SettlementRow.objects.select_for_update().filter(pk=row_id).first(), "Settlement row not found.")
    if row.status not in (SettlementRow.Status.UNMATCHED, SettlementRow.Status.MISMATCHED):
        raise Conflict(f"This row is {row.status}.", code="settlement_state")
    before = {"status": str(row.status)}
    row.resolve(by=actor, note=reason)
    row.save()
    record("settlement.row_resolved", obj=row, before=before, after={"status": row.status}, actor=actor, reason=reason)
    return row


def unsettled_repayments(today: datetime.date | None = None) -> QuerySet:
    """Repayments the rail collected more than two days before `today` that no settlement row
    matched (or ops resolved) under their UTR."""
    today = today or get_business_date()
    confirmed = SettlementRow.objects.filter(
        utr=OuterRef("external_reference"), status__in=[SettlementRow.Status.MATCHED, SettlementRow.Status.RESOLVED]
    )
    return (
        UnsettledRepayment.objects.filter(channel__in=RAIL_CHANNELS, business_date__lt=today - SETTLEMENT_GRACE)
        .filter(~Q(external_reference=""))
        .filter(~Exists(confirmed))
    )
