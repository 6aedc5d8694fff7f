"""A business's bank accounts: validated, checked once against the one account number held
anywhere, verified by a penny drop through the payout rail (with no transaction open), scored
by the name the bank holds, and — when that name is too far from the legal name — approved by
ops with a reason.
"""

import hashlib
import hmac
import re
import uuid

from constance import config
from django.conf import settings
from django.db import IntegrityError, transaction

from apps.audit.services import record
from apps.core.errors import Conflict, InvalidInput, Unavailable, found, required_reason
from apps.kyc.models import BankAccount, Business
from apps.kyc.names import name_match_score
from apps.kyc.providers import BankRailUnavailable, get_bank_verification

IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
ACCOUNT_NUMBER = re.compile(r"^[0-9]{9,18}$")


def account_hash(account_number: str) -> str:
    """Keyed (HASH_KEY), so the numbers cannot be recovered by hashing every possible one."""
    return hmac.new(settings.HASH_KEY.encode(), f"bank:{account_number}".encode(), hashlib.sha256).hexdigest()


def _clean(account_number, ifsc, holder_name) -> tuple[str, str, str]:
    number = re.sub(r"\s+", "", str(account_number or ""))
    if not ACCOUNT_NUMBER.fullmatch(number):
        raise InvalidInput("9 to 18 digits.", field="account_number")
    code = str(ifsc or "").strip().upper()
    if not IFSC.fullmatch(code):
        raise InvalidInput("An IFSC: four letters, 0, then six letters or digits (e.g. HDFC0001234).", field="ifsc")
    name = " ".join(str(holder_name or "").split())
    if not name or len(name) > 150:
        raise InvalidInput("The account holder's name, at most 150 characters.", field="holder_name")
    return number, code, name


def _in_use(digest: str, business: Business) -> None:
    held = BankAccount.objects.filter(account_hash=digest).values_list("business_id", flat=True).first()
    if held is None:
        return
    if held == business.pk:
        raise Conflict("This account is already added.", code="bank_account_exists", field="account_number")
    raise Conflict("This account is held by another business.", code="bank_account_in_use", field="account_number")


def bank_account_add(*, business: Business, account_number, ifsc, holder_name, actor) -> BankAccount:
    number, code, name = _clean(account_number, ifsc, holder_name)
    digest = account_hash(number)
    _in_use(digest, business)
    reference = f"BAV-{uuid.uuid4().hex[:20]}"
    # The rail is asked with no transaction open; the answer is written in one short transaction.
    try:
        check = get_bank_verification().verify_account(
            reference=reference, account_number=number, ifsc=code, holder_name=name
        )
    except BankRailUnavailable:
        raise Unavailable(
            "The bank could not be reached to verify the account; try again.", code="rail_unavailable"
        ) from None
    return _record(business, digest=digest, last4=number[-4:], ifsc=code, holder_name=name, check=check, actor=actor)


@transaction.atomic
def _record(business, *, digest, last4, ifsc, holder_name, check, actor) -> BankAccount:
    account = BankAccount(
        business=business,
        ifsc=ifsc,
        bank_name=check.bank_name,
        account_hash=digest,
        account_last4=last4,
        holder_name=holder_name,
        name_at_bank=check.name_at_bank,
        verification_reference=check.reference,
    )
    if not check.verified:
        account.fail(reason=check.detail or "the bank refused the account")
    else:
        account.name_match_score = name_match_score(check.name_at_bank, business.legal_name)
        if account.name_match_score >= config.BANK_NAME_MATCH_THRESHOLD:
            account.verify()
        else:
            account.flag_name_mismatch()
    _make_primary_if_first(account)
    try:
        with transaction.atomic():
            account.save(force_insert=True)
    except IntegrityError as exc:
        if "uq_bank_account_primary" in str(exc):  # another account of the business verified at once
            account.is_primary = False
            with transaction.atomic():
                account.save(force_insert=True)
        else:  # a second request with the same number won the race
            _in_use(digest, business)
            raise Conflict(
                "This account is already held.", code="bank_account_in_use", field="account_number"
            ) from None
    record(
        "bank_account.added",
        obj=account,
        after={
            "business": str(business.pk),
            "ifsc": ifsc,
            "last4": last4,
            "status": account.status,
            "name_match_score": account.name_match_score,
        },
        actor=actor,
    )
    return account


def _make_primary_if_first(account: BankAccount) -> None:
    """The first VERIFIED account of a business is where its payouts go."""
    if account.status != BankAccount.Status.VERIFIED:
        return
    has_primary = BankAccount.objects.select_for_update().filter(business_id=account.business_id, is_primary=True)
    account.is_primary = not has_primary.exists()


@transaction.atomic
def bank_account_approve(*, bank_account_id, actor, reason: str) -> BankAccount:
    """Ops accept a NAME_MISMATCH account (a trade name, the proprietor's own name), with a reason."""
    reason = required_reason(reason)
    account = found(
        BankAccount.objects.select_for_update().filter(pk=bank_account_id).first(), "Bank account not found."
    )
    if account.status != BankAccount.Status.NAME_MISMATCH:
        raise Conflict(f"The account is {account.status}.", code="bank_account_state")
    before = {"status": account.status}
    account.approve(reason=reason)
    _make_primary_if_first(account)
    account.save()
    record(
        "bank_account.approved",
        obj=account,
        before=before,
        after={"status": account.status},
        actor=actor,
        reason=reason,
    )
    return account
