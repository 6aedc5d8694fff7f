"""JWT authentication that also honours freezing: a token is dead once the user's token_version moved on."""

from django.core.exceptions import ValidationError
from rest_framework_simplejwt.authentication import JWTAuthentication as BaseJWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

TOKEN_VERSION_CLAIM = "tv"


class JWTAuthentication(BaseJWTAuthentication):
    def get_user(self, validated_token):
        try:
            user = super().get_user(validated_token)
        except (ValidationError, ValueError, TypeError):
            # Signed by us but naming no possible user (not a UUID): as unusable as a bad signature.
            raise InvalidToken("Token contained no recognizable user identification") from None
        if user.is_frozen:
            raise AuthenticationFailed("This account is frozen.", code="user_frozen")
        if validated_token.get(TOKEN_VERSION_CLAIM) != user.token_version:
            raise AuthenticationFailed("This token has been revoked.", code="token_revoked")
        return user
