"""The NACH return codes seeded by migration 0002 (and by tests that flush the database)."""

NACH_RETURN_CODES = [
    ("01", "Account closed"),
    ("02", "No such account"),
    ("04", "Balance insufficient"),
    ("06", "Payment stopped by the payer"),
    ("08", "Mandate not received"),
    ("14", "Mandate expired"),
    ("21", "Invalid UMRN"),
    ("26", "Amount exceeds the mandate limit"),
    ("61", "Mandate cancelled"),
    ("68", "Account blocked or frozen"),
]


def seed_nach_codes(model) -> None:
    for code, description in NACH_RETURN_CODES:
        model.objects.get_or_create(code=code, defaults={"description": description})
