"""Checking the aggregator's signed words (JWS): consent artefacts, status answers, data.

Every token is verified against the aggregator's published JWKS with PyJWT and its JWKS client
(a maintained JOSE library; keys cached for AA_JWKS_LIFESPAN_SECONDS, and fetched again when a
token names a `kid` the cache does not hold, so a rotated key is picked up). The signature, the
issuer, our audience and the expiry must all hold; anything else is refused and logged.
"""

import logging
import time
from collections.abc import Callable

import jwt
from django.conf import settings
from jwt import PyJWKClient, PyJWKClientError

logger = logging.getLogger(__name__)

ALGORITHMS = ["ES256", "RS256"]


class TokenRefused(Exception):
    """The aggregator's token failed verification: forged, for someone else, or expired."""


def jwks_client(url: str) -> PyJWKClient:
    return PyJWKClient(
        url,
        lifespan=settings.AA_JWKS_LIFESPAN_SECONDS,
        cooldown_duration=settings.AA_JWKS_COOLDOWN_SECONDS,
        timeout=settings.AA_TIMEOUT_SECONDS,
    )


class InProcessJwks(PyJWKClient):
    """PyJWKClient over a key set handed over in-process (the sandbox aggregator's), so that
    the sandbox's tokens go through exactly the caching and refetching real ones do."""

    def __init__(self, fetch: Callable[[], dict]):
        super().__init__(
            "https://sandbox-aa.invalid/jwks",
            lifespan=settings.AA_JWKS_LIFESPAN_SECONDS,
            cooldown_duration=settings.AA_JWKS_COOLDOWN_SECONDS,
        )
        self._fetch = fetch

    def fetch_data(self):
        data = self._fetch()
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(data)
        # What PyJWKClient.fetch_data records after a fetch: the start of the refetch cooldown.
        self._last_successful_fetch = time.monotonic()
        return data


def verified_claims(token: str, keys: PyJWKClient) -> dict:
    try:
        key = keys.get_signing_key_from_jwt(token)
        return jwt.decode(
            token,
            key.key,
            algorithms=ALGORITHMS,
            audience=settings.AA_CLIENT_ID,
            issuer=settings.AA_ISSUER,
            options={"require": ["exp", "iat", "iss", "aud"]},
        )
    except (jwt.PyJWTError, PyJWKClientError) as exc:
        logger.warning("aggregator token refused: %s", exc)
        raise TokenRefused(str(exc)) from exc
