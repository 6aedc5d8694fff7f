"""Onboarding, the KYC review, collaterals. Every transition is audited in its transaction."""

import datetime
import hashlib
import logging
import uuid

from constance import config
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from apps.audit.services import record
from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, InvalidInput, found, required_reason
from apps.core.money import round_money, to_decimal
from apps.kyc import validation
from apps.kyc.models import Business, Collateral, KycCheck, KycDocument
from apps.kyc.providers import CheckResult, get_gov_provider

logger = logging.getLogger(__name__)
Outcome = KycCheck.Outcome
REJECTING = {Outcome.NOT_FOUND, Outcome.CANCELLED}


def _kyc_snapshot(business: Business) -> dict:
    return {"kyc_status": business.kyc_status, "kyc_reason": business.kyc_reason}


def _required(value, name: str, max_length: int) -> str:
    value = str(value or "").strip()
    if not value:
        raise InvalidInput("This field is required.", field=name)
    if len(value) > max_length:
        raise InvalidInput(f"At most {max_length} characters.", field=name)
    return value


def _store_check(business: Business, result: CheckResult, request_masked: dict) -> KycCheck:
    return KycCheck.objects.create(
        business=business,
        check_type=result.check_type,
        outcome=result.outcome,
        reference=result.reference,
        detail=result.detail[:255],
        latency_ms=result.latency_ms,
        request_masked=request_masked,
    )


def _decide(business: Business, results: list[CheckResult]) -> None:
    outcomes = {result.outcome for result in results}
    reasons = "; ".join(f"{r.check_type}: {r.outcome}" for r in results if r.outcome != Outcome.VERIFIED)
    if outcomes & REJECTING:
        business.reject_automatically(reasons)
    elif outcomes == {Outcome.VERIFIED}:
        business.verify("all checks verified")
    else:
        business.send_to_review(reasons)


def business_onboard(
    *,
    actor,
    legal_name: str,
    owner_name: str,
    gstin: str,
    pan: str,
    aadhaar: str,
    address: str,
    trade_name: str = "",
    declared_turnover=None,
) -> Business:
    """Register the business (PENDING), ask the government services, then record their verdict.

    The three checks are made with no transaction open (DESIGN.md: never call an outside party
    inside one): a slow service holds no lock, and the business row they are about is already
    committed. A process that dies between the two steps leaves a PENDING business for ops."""
    business, aadhaar = _business_register(
        owner=actor,
        legal_name=legal_name,
        owner_name=owner_name,
        gstin=gstin,
        pan=pan,
        aadhaar=aadhaar,
        address=address,
        trade_name=trade_name,
        declared_turnover=declared_turnover,
    )
    provider = get_gov_provider()
    results = [
        provider.verify_gstin(gstin=business.gstin, legal_name=business.legal_name),
        provider.verify_pan(pan=business.pan, name=business.owner_name),
        provider.verify_aadhaar(aadhaar=aadhaar),
    ]
    return _business_checks_record(business_id=business.pk, results=results, actor=actor)


@transaction.atomic
def _business_register(
    *, owner, legal_name, owner_name, gstin, pan, aadhaar, address, trade_name, declared_turnover
) -> tuple[Business, str]:
    gstin = validation.clean_gstin(gstin)
    pan = validation.clean_pan(pan)
    validation.check_pan_in_gstin(gstin, pan)
    aadhaar = validation.clean_aadhaar(aadhaar)
    legal_name = _required(legal_name, "legal_name", 200)
    owner_name = _required(owner_name, "owner_name", 200)
    address = _required(address, "address", 1000)
    turnover = declared_turnover
    if turnover not in (None, ""):
        turnover = to_decimal(turnover)
        if turnover < 0 or round_money(turnover) != turnover:
            raise InvalidInput("A non-negative amount with at most two decimals.", field="declared_turnover")
    else:
        turnover = None
    if Business.objects.filter(owner=owner).exists():
        raise Conflict("You have already onboarded a business.", code="already_onboarded")

    business = Business(
        owner=owner,
        legal_name=legal_name,
        trade_name=str(trade_name or "")[:200],
        owner_name=owner_name,
        address=address,
        state_code=gstin[:2],
        gstin=gstin,
        pan=pan,
        aadhaar_hash=validation.aadhaar_hash(aadhaar),
        aadhaar_last4=aadhaar[-4:],
        declared_turnover=turnover,
    )
    try:
        with transaction.atomic():
            business.save()
    except IntegrityError as exc:
        field = "gstin" if "gstin" in str(exc) else "aadhaar"
        raise Conflict(f"This {field.upper()} is already registered with another account.", field=field) from None
    return business, aadhaar


@transaction.atomic
def _business_checks_record(*, business_id, results: list[CheckResult], actor) -> Business:
    business = Business.objects.select_for_update().get(pk=business_id)
    masked_aadhaar = business.aadhaar_masked
    requests = [
        {"gstin": business.gstin},
        {"pan": business.pan, "name": business.owner_name},
        {"aadhaar": masked_aadhaar},
    ]
    for result, request in zip(results, requests, strict=True):
        _store_check(business, result, request)
    gst = results[0]
    if gst.outcome == Outcome.VERIFIED:
        business.gst_status = str(gst.data.get("status", ""))[:16]
        registered = gst.data.get("registration_date")
        if registered:
            business.gst_registration_date = datetime.date.fromisoformat(registered)
    elif gst.outcome == Outcome.CANCELLED:
        business.gst_status = "CANCELLED"
    _decide(business, results)
    business.save()
    record("kyc.onboarded", obj=business, after=_kyc_snapshot(business), actor=actor)
    logger.info("business %s onboarded: %s (aadhaar %s)", business.pk, business.kyc_status, masked_aadhaar)
    return business


def _review(business_id, *, actor, reason: str, decision: str) -> Business:
    reason = required_reason(reason)
    business = found(Business.objects.select_for_update().filter(pk=business_id).first(), "Business not found.")
    if business.kyc_status != Business.KycStatus.MANUAL_REVIEW:
        raise Conflict(f"KYC is {business.kyc_status}; only MANUAL_REVIEW is decided by hand.")
    before = _kyc_snapshot(business)
    getattr(business, decision)(reason)
    business.save()
    record(
        f"kyc.{'approved' if decision == 'approve' else 'rejected'}",
        obj=business,
        before=before,
        after=_kyc_snapshot(business),
        actor=actor,
        reason=reason,
    )
    return business


@transaction.atomic
def kyc_approve(*, business_id, actor, reason: str) -> Business:
    return _review(business_id, actor=actor, reason=reason, decision="approve")


@transaction.atomic
def kyc_reject(*, business_id, actor, reason: str) -> Business:
    return _review(business_id, actor=actor, reason=reason, decision="reject")


@transaction.atomic
def collateral_create(
    *, business: Business, type: str, description: str, value, actor, valuation_date=None
) -> Collateral:
    """`type`, as the API and the model name it. The rules beyond the fields' shapes live here."""
    kind = type
    if kind not in Collateral.Type.values:
        raise InvalidInput(f"One of {', '.join(Collateral.Type.values)}.", field="type")
    value = to_decimal(value)
    if value <= 0 or round_money(value) != value:
        raise InvalidInput("A positive amount with at most two decimals.", field="value")
    description = _required(description, "description", 255)
    valuation_date = valuation_date or get_business_date()
    if valuation_date > get_business_date():
        raise InvalidInput("The valuation date is in the future.", field="valuation_date")
    collateral = Collateral.objects.create(
        business=business, type=kind, description=description, value=value, valuation_date=valuation_date
    )
    record("collateral.created", obj=collateral, after={"type": kind, "value": str(value)}, actor=actor)
    return collateral


def collateral_pledge(*, collateral_ids, actor, reference: str) -> list[Collateral]:
    """Called inside the sanction's transaction: every collateral must still be FREE."""
    collaterals = list(Collateral.objects.select_for_update().filter(pk__in=collateral_ids).order_by("pk"))
    if len(collaterals) != len(set(collateral_ids)):
        raise Conflict("A collateral of this offer no longer exists.", code="collateral")
    for collateral in collaterals:
        if collateral.lien_status != Collateral.Lien.FREE:
            raise Conflict(f"Collateral {collateral.pk} is already {collateral.lien_status}.", code="collateral")
        collateral.pledge(reference)
        collateral.save()
        record(
            "collateral.pledged",
            obj=collateral,
            before={"lien_status": "FREE"},
            after={"lien_status": collateral.lien_status, "reference": reference},
            actor=actor,
        )
    return collaterals


def collateral_release(*, reference: str, actor) -> int:
    """Release every collateral pledged under `reference` (the loan closed or was cancelled)."""
    released = 0
    for collateral in Collateral.objects.select_for_update().filter(
        lien_reference=reference, lien_status=Collateral.Lien.PLEDGED
    ):
        collateral.release()
        collateral.save()
        record(
            "collateral.released",
            obj=collateral,
            before={"lien_status": "PLEDGED"},
            after={"lien_status": collateral.lien_status},
            actor=actor,
        )
        released += 1
    return released


@transaction.atomic
def kyc_document_upload(*, business: Business, doc_type: str, upload, actor) -> KycDocument:
    if doc_type not in KycDocument.DocType.values:
        raise InvalidInput(f"One of {', '.join(KycDocument.DocType.values)}.", field="doc_type")
    limit = int(config.KYC_DOCUMENT_MAX_BYTES)
    if upload.size == 0:
        raise InvalidInput("The file is empty.", field="file")
    if upload.size > limit:
        raise InvalidInput(f"The file is larger than {limit // (1024 * 1024)} MB.", field="file")
    data = upload.read()
    # Type from the bytes, not the name; stored under kyc/<business_id>/<uuid>.<ext>.
    ext, content_type = validation.sniff(data[:16])
    key = f"kyc/{business.pk}/{uuid.uuid4()}.{ext}"
    document = KycDocument.objects.create(
        business=business,
        doc_type=doc_type,
        object_key=key,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type=content_type,
        uploaded_by=actor,
    )
    stored = default_storage.save(key, ContentFile(data))
    if stored != key:  # a storage that renames would break the key we recorded
        raise RuntimeError(f"storage stored {key} as {stored}")
    record("kyc.document_uploaded", obj=document, after={"doc_type": doc_type, "sha256": document.sha256}, actor=actor)
    return document
