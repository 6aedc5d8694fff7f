"""Short-lived links to stored objects. The database keeps object keys; links are minted here.

With S3 the storage's own presigned URL is used. With the filesystem storage the link is
`/files/<token>`, the token a signed (key, expiry) pair that `serve_signed_file` checks.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone

SALT = "storage-urls"


def signed_url(key: str, *, ttl: datetime.timedelta | None = None) -> tuple[str, datetime.datetime]:
    ttl = ttl or datetime.timedelta(seconds=settings.SIGNED_URL_TTL_SECONDS)
    expires_at = timezone.now() + ttl
    if hasattr(default_storage, "bucket_name"):  # S3: presigned by the storage itself
        return default_storage.url(key, expire=int(ttl.total_seconds())), expires_at
    token = signing.dumps({"k": key, "e": int(expires_at.timestamp())}, salt=SALT, compress=True)
    return reverse("signed-file", args=[token]), expires_at


def serve_signed_file(request, token: str):
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise Http404("link not valid") from None
    if payload["e"] < timezone.now().timestamp():
        raise Http404("link expired")
    key = payload["k"]
    if not default_storage.exists(key):
        raise Http404("file not found")
    return FileResponse(default_storage.open(key, "rb"), as_attachment=True, filename=key.rsplit("/", 1)[-1])
