from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.authentication import TOKEN_VERSION_CLAIM

# Every refresh token of one login carries the same family id (TokenFamily), kept by rotation.
FAMILY_CLAIM = "fam"


def tokens_for_user(user) -> dict:
    """A refresh/access pair carrying the user's token version, role and a new token family."""
    refresh = RefreshToken.for_user(user)
    refresh[TOKEN_VERSION_CLAIM] = user.token_version
    refresh["role"] = user.role
    refresh[FAMILY_CLAIM] = refresh[api_settings.JTI_CLAIM]
    return {"refresh": str(refresh), "access": str(refresh.access_token)}


def family_of(token) -> str:
    # A token minted before families existed heads a family of its own, named by its jti.
    return token.get(FAMILY_CLAIM) or token[api_settings.JTI_CLAIM]


class RotatingRefreshToken(RefreshToken):
    """A refresh token decoded with its signature, expiry and type checked, but not yet the
    blacklist: refresh_token_rotate reads that under the token's row lock, where a reuse can
    be told from a race."""

    def check_blacklist(self) -> None:
        return None
