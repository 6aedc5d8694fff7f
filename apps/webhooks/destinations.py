"""Where we may send a partner's webhooks (SSRF): https only, and never to an address inside our
own network, a loopback or a link-local one (the cloud metadata service lives there). Checked
when ADMIN registers the endpoint and again before every send, since a name can be re-pointed
after it was registered. Only the sandbox (WEBHOOK_ALLOW_PRIVATE_URLS) lets http and local
receivers through, for the demo and the tests."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeDestination(Exception):
    """The URL may not receive our webhooks; the message says why."""


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def destination_check(url: str) -> None:
    parts = urlsplit(url)
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_URLS
    if parts.scheme not in (("https", "http") if allow_private else ("https",)):
        raise UnsafeDestination("The URL must be https.")
    if not parts.hostname:
        raise UnsafeDestination("The URL has no host.")
    if parts.username or parts.password:
        raise UnsafeDestination("The URL may not carry credentials.")
    if allow_private:
        return
    try:
        port = parts.port or 443
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)}
    except (OSError, ValueError):
        raise UnsafeDestination(f"{parts.hostname} does not resolve.") from None
    if not addresses or any(_forbidden(address) for address in addresses):
        raise UnsafeDestination(f"{parts.hostname} resolves to a private, loopback or link-local address.")
