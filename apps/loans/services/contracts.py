"""The agreement's short-lived download link."""

import datetime

from django.core.files.storage import default_storage

from apps.core.storage_urls import signed_url
from apps.loans.models import Loan
from apps.loans.services.disbursement import loan_contract_write

CONTRACT_LINK_TTL = datetime.timedelta(minutes=10)


def contract_link(loan: Loan) -> dict:
    if not default_storage.exists(loan.contract_key):
        # Reproducible bytes: a lost or never-written file is rebuilt to the same sha256.
        loan_contract_write(loan=loan)
    url, expires_at = signed_url(loan.contract_key, ttl=CONTRACT_LINK_TTL)
    return {"url": url, "expires_at": expires_at, "sha256": loan.contract_sha256}
