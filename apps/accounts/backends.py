"""Password authentication for staff (the admin login and POST /auth/token)."""

from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Django's ModelBackend, refusing frozen users as it refuses inactive ones.

    user_can_authenticate() is also what ModelBackend.get_user() asks on every request of a
    session, so a freeze refuses the next password login and drops an open session at once.
    """

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not getattr(user, "is_frozen", False)
