from django.db import models


class Role(models.TextChoices):
    BORROWER = "BORROWER", "Borrower"
    OFFICER = "OFFICER", "Officer"
    ADMIN = "ADMIN", "Admin"


STAFF_ROLES = (Role.OFFICER, Role.ADMIN)
