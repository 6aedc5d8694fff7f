from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.authentication import TOKEN_VERSION_CLAIM


def tokens_for_user(user) -> dict:
    """A refresh/access pair carrying the user's token version and role."""
    refresh = RefreshToken.for_user(user)
    refresh[TOKEN_VERSION_CLAIM] = user.token_version
    refresh["role"] = user.role
    return {"refresh": str(refresh), "access": str(refresh.access_token)}
