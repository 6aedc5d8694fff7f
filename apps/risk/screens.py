"""The fraud checks at each checkpoint (apps/core/screening.py): the facts each rule needs,
gathered from what the calling app passes and what risk can read, then `fraud_screen`."""

import datetime

from django.utils import timezone

from apps.accounts import ratelimit
from apps.accounts.models import Device, OtpChallenge
from apps.core.screening import screens
from apps.kyc.models import BankAccount, Business
from apps.risk.fraud import fraud_screen, thresholds
from apps.risk.fraud_rules import Facts


def _ids(values) -> tuple[str, ...]:
    return tuple(sorted(str(value) for value in values))


@screens("loan.sanction")
def sanction_screen(*, business_id, actor, invoice_id, invoice_amount, buyer_gstin, bank_account_id):
    business = Business.objects.only("id", "pan", "declared_turnover", "owner_id").get(pk=business_id)
    now = timezone.now()
    device = None
    if actor.pk == business.owner_id:  # the borrower's own device; staff acting for them have none here
        device = Device.objects.filter(user_id=actor.pk).order_by("-last_active_at").first()
    sharing_device = ()
    if device is not None:
        users = Device.objects.filter(fingerprint=device.fingerprint).exclude(user_id=actor.pk).values("user_id")
        sharing_device = _ids(Business.objects.filter(owner_id__in=users).values_list("id", flat=True))
    account = BankAccount.objects.only("id", "created_at").filter(pk=bank_account_id).first()
    earlier_accounts = account is not None and (
        BankAccount.objects.filter(business_id=business.pk, created_at__lt=account.created_at).exists()
    )
    earlier_devices = device is not None and (
        Device.objects.filter(user_id=actor.pk, first_seen_at__lt=device.first_seen_at).exists()
    )
    facts = Facts(
        action="loan.sanction",
        business_id=str(business.pk),
        user_id=str(actor.pk),
        pan=business.pan,
        businesses_sharing_pan=_ids(
            Business.objects.filter(pan=business.pan).exclude(pk=business.pk).values_list("id", flat=True)
        ),
        businesses_sharing_device=sharing_device,
        declared_turnover=business.declared_turnover,
        invoice_id=str(invoice_id),
        invoice_amount=invoice_amount,
        buyer_gstin=buyer_gstin,
        device_id=str(device.pk) if device else "",
        device_age=now - device.first_seen_at if device else None,
        other_devices_before=earlier_devices,
        bank_account_id=str(account.pk) if account else "",
        bank_account_age=now - account.created_at if account else None,
        other_accounts_before=earlier_accounts,
    )
    fraud_screen(facts, actor=actor)


@screens("payment_intent.open")
def payment_intent_screen(*, actor, business_id=None):
    minutes = thresholds()["FRAUD_INTENT_BURST_MINUTES"]
    facts = Facts(
        action="payment_intent.open",
        user_id=str(actor.pk),
        business_id=str(business_id or ""),
        recent_intents=ratelimit.count(f"fraud-intent:{actor.pk}", window_seconds=minutes * 60),
    )
    fraud_screen(facts, actor=actor)


@screens("otp.send")
def otp_screen(*, phone: str, ip: str | None):
    if not ip:
        return
    minutes = thresholds()["FRAUD_OTP_BURST_MINUTES"]
    since = timezone.now() - datetime.timedelta(minutes=minutes)
    phones = set(OtpChallenge.objects.filter(ip=ip, created_at__gte=since).values_list("phone", flat=True).distinct())
    fraud_screen(Facts(action="otp.send", ip=ip, phones_from_ip=len(phones | {phone})))
