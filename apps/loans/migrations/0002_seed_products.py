from decimal import Decimal

from django.db import migrations

PRODUCTS = [
    {
        "code": "INV-STD-6M",
        "name": "Invoice finance, 6 months",
        "rate_bands": {"A": "14.00", "B": "16.00", "C": "18.50", "D": "22.00"},
        "secured_advance_pct": Decimal("90.00"),
        "unsecured_advance_pct": Decimal("75.00"),
        "tenure_months": 6,
        "processing_fee_pct": Decimal("1.50"),
        "bounce_charge": Decimal("590.00"),
        "min_principal": Decimal("10000.00"),
        "max_principal": Decimal("5000000.00"),
    },
]


def seed(apps, schema_editor):
    LoanProduct = apps.get_model("loans", "LoanProduct")
    for product in PRODUCTS:
        LoanProduct.objects.get_or_create(code=product["code"], defaults=product)


class Migration(migrations.Migration):
    dependencies = [("loans", "0001_loan_product")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
