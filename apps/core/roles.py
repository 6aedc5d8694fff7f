from django.db import models


class Role(models.TextChoices):
    BORROWER = "BORROWER", "Borrower"
    OFFICER = "OFFICER", "Officer"
    ADMIN = "ADMIN", "Admin"
    # Works only the collection cases assigned to them (API and admin).
    COLLECTOR = "COLLECTOR", "Collector"


# Staff who run the book: every worklist, every loan.
OPS_ROLES = (Role.OFFICER, Role.ADMIN)
# Staff who log in with a password (and a second factor) to the API and the admin.
STAFF_ROLES = (*OPS_ROLES, Role.COLLECTOR)
