"""Partner webhooks: ADMIN registers an endpoint and sees its secret once; every subscribed event
reaches the partner signed under that secret, retried with backoff until DEAD, sent again on
ADMIN's word; a loan's events arrive in order; a slow or unsafe partner harms nobody else; an
event whose change rolled back is never delivered."""

import datetime
import json
import socket
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.core.outbox import event_emit, events_dispatch
from apps.core.roles import Role
from apps.core.signatures import verify
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from apps.webhooks.services import BACKOFF, deliveries_send, endpoint_register
from tests.support.receiver import start_receiver
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/admin/webhook-endpoints"


@pytest.fixture
def receiver():
    state, server = start_receiver()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def admin_user():
    return make_user(Role.ADMIN)


@pytest.fixture
def admin_api(admin_user):
    return client_for(admin_user)


def _emit(topic="loan.disbursed", loan_id=None, **payload) -> str:
    loan_id = loan_id or uuid.uuid4()
    with transaction.atomic():
        event = event_emit(topic, aggregate=("loans.loan", loan_id), payload={"loan_id": str(loan_id), **payload})
    return str(event.event_id)


def _resolving_to(address):
    """socket.getaddrinfo as if every name resolved to `address`."""
    return lambda host, port, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]


def _due_now():
    WebhookDelivery.objects.filter(status__in=["PENDING", "RETRYING"]).update(next_attempt_at=timezone.now())


def test_admin_registers_an_endpoint_and_sees_the_secret_once(admin_api, receiver):
    answer = admin_api.post(URL, {"url": receiver.url, "events": ["loan.disbursed", "loan.closed"]}, format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["loan.disbursed", "loan.closed"]
    listed = admin_api.get(URL).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]] and "secret" not in listed[0]
    assert AuditLog.objects.filter(action="webhooks.endpoint_registered", object_id=body["id"]).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "ftp://partner.example/hooks", "events": ["loan.closed"]}, "url"),
        ({"url": "https://partner.example/hooks", "events": ["loan.exploded"]}, "events"),
        ({"url": "https://partner.example/hooks", "events": []}, "events"),
        ({"events": ["loan.closed"]}, "url"),
    ],
)
def test_bad_registrations_are_400_naming_the_field_and_store_nothing(admin_api, payload, field):
    answer = admin_api.post(URL, payload, format="json")
    assert answer.status_code == 400 and field in json.dumps(answer.json())
    assert not WebhookEndpoint.objects.exists()


def test_only_admin_manages_partner_webhooks(receiver):
    officer = client_for(make_user(Role.OFFICER))
    assert officer.post(URL, {"url": receiver.url, "events": ["loan.closed"]}, format="json").status_code == 403
    assert officer.get("/api/v1/admin/webhook-deliveries").status_code == 403


@pytest.mark.parametrize(
    ("url", "resolves_to"),
    [
        ("http://partner.example/hooks", "93.184.216.34"),  # plain http
        ("https://partner.example/hooks", "127.0.0.1"),  # loopback
        ("https://partner.example/hooks", "10.1.2.3"),  # private
        ("https://partner.example/hooks", "169.254.169.254"),  # link-local: the cloud metadata service
        ("https://partner.example/hooks", "::ffff:192.168.0.1"),  # private, written as IPv6
        ("https://user:pw@partner.example/hooks", "93.184.216.34"),  # credentials in the URL
    ],
)
def test_outside_the_sandbox_unsafe_destinations_are_refused(admin_api, settings, monkeypatch, url, resolves_to):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kw: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (resolves_to, port))],
    )
    answer = admin_api.post(URL, {"url": url, "events": ["loan.closed"]}, format="json")
    assert answer.status_code == 400 and list(answer.json()["errors"]) == ["url"], answer.content
    assert not WebhookEndpoint.objects.exists()


def test_a_public_https_endpoint_is_accepted_outside_the_sandbox(admin_api, settings, monkeypatch):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kw: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))],
    )
    assert (
        admin_api.post(
            URL, {"url": "https://partner.example/hooks", "events": ["loan.closed"]}, format="json"
        ).status_code
        == 201
    )


def test_a_delivery_is_signed_and_verifiable_with_the_shown_secret(admin_api, receiver):
    secret = admin_api.post(URL, {"url": receiver.url, "events": ["loan.disbursed"]}, format="json").json()["secret"]
    event_id = _emit(amount="1234.50")
    _emit("loan.sanctioned")  # not subscribed: no delivery
    events_dispatch()
    assert deliveries_send() == {"delivered": 1, "retrying": 0, "dead": 0}
    [got] = receiver.received
    verify(secret, got.headers["X-Signature"], got.body, tolerance=300)
    assert got.headers["X-Event-Id"] == event_id == got.json["id"]
    assert got.json["type"] == "loan.disbursed" and got.json["data"]["amount"] == "1234.50"
    assert WebhookDelivery.objects.get().status == "DELIVERED"
    rows = admin_api.get("/api/v1/admin/webhook-deliveries?status=DELIVERED").json()["results"]
    assert [(r["event_id"], r["status"], r["last_status_code"]) for r in rows] == [(event_id, "DELIVERED", 200)]


def test_a_failing_partner_is_retried_with_backoff_then_dead_then_redelivered(admin_user, admin_api, receiver):
    endpoint_register(url=receiver.url, events=["loan.disbursed"], actor=admin_user)
    _emit()
    events_dispatch()
    receiver.status = 500
    before = timezone.now()
    assert deliveries_send()["retrying"] == 1
    delivery = WebhookDelivery.objects.get()
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("RETRYING", 1, 500)
    assert BACKOFF[0] * 0.89 <= wait <= BACKOFF[0] * 1.11 + 5  # about a minute, with jitter
    assert deliveries_send() == {"delivered": 0, "retrying": 0, "dead": 0}  # not due yet
    for _ in range(len(BACKOFF)):
        _due_now()
        deliveries_send()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("DEAD", len(BACKOFF) + 1)
    assert len(receiver.received) == len(BACKOFF) + 1

    receiver.status = 204
    answer = admin_api.post(f"/api/v1/admin/webhook-deliveries/{delivery.pk}/redeliver")
    assert answer.status_code == 202 and answer.json()["status"] == "PENDING"
    assert AuditLog.objects.filter(action="webhooks.delivery_redelivered", object_id=str(delivery.pk)).exists()
    assert deliveries_send()["delivered"] == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("DELIVERED", 204)


def test_an_event_whose_change_rolled_back_is_never_delivered(admin_user, receiver):
    endpoint_register(url=receiver.url, events=["loan.disbursed"], actor=admin_user)
    with pytest.raises(RuntimeError), transaction.atomic():
        event_emit("loan.disbursed", aggregate=("loans.loan", uuid.uuid4()), payload={})
        raise RuntimeError("the payment failed after the event was written")
    events_dispatch()
    deliveries_send()
    assert not WebhookDelivery.objects.exists() and receiver.received == []


def test_a_loans_events_reach_the_partner_in_order(admin_user, receiver):
    endpoint_register(url=receiver.url, events=["loan.disbursed"], actor=admin_user)
    loan = uuid.uuid4()
    first, second = _emit(loan_id=loan, n=1), _emit(loan_id=loan, n=2)
    other = _emit(n=3)  # another loan: not held back
    events_dispatch()
    receiver.status_for[first] = 503
    deliveries_send()
    # Sent at once from the pool: the two loans' deliveries arrive in either order; the second
    # of the first loan waits while the first is owed.
    assert sorted(receiver.event_ids()) == sorted([first, other])
    receiver.status_for.clear()
    _due_now()
    deliveries_send()  # the first, then (its key no longer owed) the second, in the next batch
    assert receiver.event_ids()[2:] == [first, second]


def test_a_slow_partner_does_not_hold_back_another(admin_user, settings):
    settings.WEBHOOK_DELIVERY_TIMEOUT_SECONDS = 0.5
    slow, slow_server = start_receiver()
    fast, fast_server = start_receiver()
    slow.delay = 3
    try:
        endpoint_register(url=slow.url, events=["loan.disbursed"], actor=admin_user)
        endpoint_register(url=fast.url, events=["loan.disbursed"], actor=admin_user)
        ids = [_emit() for _ in range(3)]
        events_dispatch()
        counts = deliveries_send()
    finally:
        for server in (slow_server, fast_server):
            server.shutdown()
            server.server_close()
    assert sorted(fast.event_ids()) == sorted(ids)
    assert counts == {"delivered": 3, "retrying": 3, "dead": 0}
    timed_out = WebhookDelivery.objects.filter(status="RETRYING")
    assert {d.endpoint.url for d in timed_out} == {slow.url}
    assert all("timed out" in d.last_error.lower() for d in timed_out)


def test_no_redirect_is_followed_and_an_unsafe_address_is_refused_at_send_time(admin_user, receiver, settings):
    endpoint_register(url=receiver.url, events=["loan.disbursed"], actor=admin_user)
    _emit()
    events_dispatch()
    receiver.redirect_to = "http://169.254.169.254/latest/meta-data/"
    assert deliveries_send()["retrying"] == 1
    assert len(receiver.received) == 1 and WebhookDelivery.objects.get().last_status_code == 302

    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False  # the sandbox's local receiver is not allowed in production
    _due_now()
    deliveries_send()
    delivery = WebhookDelivery.objects.get()
    assert len(receiver.received) == 1 and delivery.last_error.startswith("refused: The URL must be https")


def test_an_endpoint_subscribed_later_gets_only_later_events(admin_user, receiver):
    _emit()
    events_dispatch()
    endpoint_register(url=receiver.url, events=["loan.disbursed"], actor=admin_user)
    later = _emit()
    events_dispatch()
    deliveries_send()
    assert receiver.event_ids() == [later]


def test_a_worker_killed_mid_send_leaves_the_delivery_to_be_sent_again(admin_user, receiver, monkeypatch):
    """The claim leases a delivery; a worker that dies before recording the outcome leaves it
    PENDING, and once the lease runs out it is sent again (partners de-duplicate on X-Event-Id)."""
    from apps.webhooks import services

    endpoint_register(url=receiver.url, events=["loan.disbursed"], actor=admin_user)
    event_id = _emit()
    events_dispatch()

    def killed(sent):
        raise SystemExit("worker killed")

    monkeypatch.setattr(services, "_record", killed)
    with pytest.raises(SystemExit):
        deliveries_send()
    monkeypatch.undo()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "PENDING" and delivery.next_attempt_at > timezone.now() + datetime.timedelta(seconds=60)
    assert deliveries_send()["delivered"] == 0  # leased: nobody else sends it yet
    _due_now()
    assert deliveries_send()["delivered"] == 1
    assert receiver.event_ids() == [event_id, event_id]


def test_the_console_registers_an_endpoint_shows_its_secret_once_and_sends_again(admin_web, receiver):
    page = admin_web.get("/admin/webhooks/webhookendpoint/").content.decode()
    assert "/admin/webhooks/webhookendpoint/register/" in page
    bad = admin_web.post(
        "/admin/webhooks/webhookendpoint/register/", {"url": "ftp://x", "events": ["loan.closed"]}
    ).content.decode()
    assert "must be https" in bad and not WebhookEndpoint.objects.exists()
    shown = admin_web.post(
        "/admin/webhooks/webhookendpoint/register/",
        {"url": receiver.url, "events": ["loan.disbursed"], "description": "Co-lender"},
    ).content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in shown and endpoint.events == ["loan.disbursed"]
    assert (
        endpoint.secret not in admin_web.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/").content.decode()
    )

    receiver.status = 500
    _emit()
    events_dispatch()
    deliveries_send()
    delivery = WebhookDelivery.objects.get()
    receiver.status = 200
    answer = admin_web.post(
        "/admin/webhooks/webhookdelivery/", {"action": "send_again", "_selected_action": [delivery.pk]}
    )
    assert answer.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("PENDING", 0)
    assert deliveries_send()["delivered"] == 1


def test_officers_cannot_register_endpoints_in_the_console(officer_web):
    assert officer_web.get("/admin/webhooks/webhookendpoint/register/").status_code == 403
