"""Idempotent demo data: running it twice leaves the same rows."""

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import User
from apps.core.roles import Role

DEMO_BORROWER_PHONE = "+919812345678"


class Command(BaseCommand):
    help = "Load idempotent demo data (staff logins, a borrower)."

    @transaction.atomic
    def handle(self, *args, **options):
        for username, password, role in (
            ("admin", "admin-demo-pass", Role.ADMIN),
            ("officer", "officer-demo-pass", Role.OFFICER),
        ):
            user, created = User.objects.get_or_create(
                username=username, defaults={"role": role, "is_staff": True, "is_superuser": role == Role.ADMIN}
            )
            if created:
                user.set_password(password)
                user.save()
        User.objects.get_or_create(
            username=DEMO_BORROWER_PHONE, defaults={"role": Role.BORROWER, "phone": DEMO_BORROWER_PHONE}
        )
        self.stdout.write(self.style.SUCCESS("demo data ready"))
