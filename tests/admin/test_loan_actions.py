"""The loan page's actions for ops, through the admin as a logged-in OFFICER or ADMIN: the
agreement download, record an offline payment, record a bounce, waive a charge."""

import uuid
from decimal import Decimal

import pytest
from django.test import Client

from apps.audit.models import Approval, AuditLog
from apps.core.business_date import get_business_date
from apps.ledger.models import JournalEntry, JournalLine
from apps.loans.models import Loan
from apps.repayments.models import Bounce, ChargeWaiver, OfflinePayment, Repayment
from tests.support.factories import AdminFactory, StaffFactory
from tests.support.ledger import assert_books_match
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db

UTR = "HDFCN52026112912345"


def page(loan) -> str:
    return f"/admin/loans/loan/{loan.pk}/change/"


def action(loan, name) -> str:
    return f"/admin/loans/loan/{loan.pk}/do/{name}/"


def payment(**overrides) -> dict:
    return {
        "token": str(uuid.uuid4()),
        "method": "NEFT",
        "reference": UTR,
        "amount": "15000.00",
        "received_on": get_business_date().isoformat(),
        **overrides,
    }


@pytest.fixture
def loan(borrower):
    return make_loan(borrower)


def counts():
    return (
        OfflinePayment.objects.count(),
        Repayment.objects.count(),
        Bounce.objects.count(),
        ChargeWaiver.objects.count(),
        JournalEntry.objects.count(),
        AuditLog.objects.count(),
    )


# The agreement


def test_the_loan_page_links_the_agreement_and_kfs_and_the_link_downloads_the_pdf(officer_web, loan):
    html = officer_web.get(page(loan)).content.decode()
    assert "Loan agreement with KFS (PDF)" in html
    assert f"/admin/loans/loan/{loan.pk}/contract/" in html
    response = officer_web.get(f"/admin/loans/loan/{loan.pk}/contract/")
    assert response.status_code == 302 and response.url.startswith("/files/")
    pdf = officer_web.get(response.url)
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


# Actions shown by role


def test_officer_sees_the_ops_actions_but_no_overrides(officer_web, loan):
    html = officer_web.get(page(loan)).content.decode()
    assert action(loan, "record_payment") in html and action(loan, "record_bounce") in html
    assert "Override to" not in html
    assert action(loan, "waive_charge") not in html  # nothing owed to waive yet


def test_admin_sees_the_overrides(admin_web, loan):
    html = admin_web.get(page(loan)).content.decode()
    assert "Override to DEFAULTED" in html and "Record an offline payment" in html


def test_staff_without_the_permission_cannot_open_or_post_an_action(client, loan):
    client.force_login(StaffFactory(groups=[]))
    before = counts()
    assert client.get(action(loan, "record_payment")).status_code == 403
    assert client.post(action(loan, "record_payment"), payment()).status_code == 403
    assert client.post(action(loan, "waive_charge"), {}).status_code == 403
    assert counts() == before


def test_an_unknown_action_is_a_404(officer_web, loan):
    assert officer_web.get(action(loan, "forgive_everything")).status_code == 404
    assert officer_web.get(f"/admin/loans/loan/{uuid.uuid4()}/do/record_payment/").status_code == 404


# Record an offline payment


def test_the_payment_form_asks_for_method_reference_amount_and_date(officer_web, loan):
    html = officer_web.get(action(loan, "record_payment")).content.decode()
    for text in ('name="method"', "NEFT", "RTGS", "UPI", "Cheque", "Cash", 'name="reference"', 'name="amount"'):
        assert text in html, text
    assert f'value="{get_business_date().isoformat()}"' in html  # received today, unless ops say otherwise
    assert "₹78,538.62" in html  # owed on the six installments
    assert 'name="token"' in html


def test_an_offline_neft_payment_is_applied_oldest_first_and_booked_and_audited(officer_web, loan):
    response = officer_web.post(action(loan, "record_payment"), payment())
    assert response.status_code == 302 and response.url == page(loan)
    receipt = OfflinePayment.objects.get()
    assert (receipt.method, receipt.reference, receipt.amount) == ("NEFT", UTR, Decimal("15000.00"))
    assert receipt.received_on == get_business_date() and receipt.loan_id == loan.pk
    rows = list(receipt.repayments.order_by("installment__number"))
    assert [(r.installment.number, r.amount, r.interest, r.principal) for r in rows] == [
        (1, Decimal("13089.77"), Decimal("1000.00"), Decimal("12089.77")),
        (2, Decimal("1910.23"), Decimal("838.80"), Decimal("1071.43")),
    ]
    assert {(r.channel, r.external_reference) for r in rows} == {("NEFT", UTR)}
    assert_books_match(loan)
    assert loan.outstanding_principal == loan.principal - Decimal("12089.77") - Decimal("1071.43")
    bank = JournalLine.objects.filter(loan_id=loan.pk, account_id="1010", entry__entry_type="REPAYMENT")
    assert sum(line.debit for line in bank) == Decimal("15000.0000")
    audit = AuditLog.objects.get(action="loan.offline_payment_recorded", object_id=str(loan.pk))
    assert audit.after["reference"] == UTR and audit.after["amount"] == "15000.00"
    assert AuditLog.objects.filter(action="repayment.received").count() == 2
    html = officer_web.get(page(loan)).content.decode()
    assert UTR in html  # the repayment lines
    assert "loan.offline_payment_recorded" in html  # the audit trail
    assert html.count("<td>Repayment</td>") == 6  # the ledger lines: bank, interest, principal twice
    assert ">Paid</div>" in html and ">Partially Paid</div>" in html  # the schedule


def test_the_success_message_names_what_was_booked(officer_web, loan):
    html = officer_web.post(action(loan, "record_payment"), payment(), follow=True).content.decode()
    assert f"Recorded NEFT {UTR} of ₹15,000.00: applied to installment 1, 2." in html


def test_a_form_posted_twice_books_once(officer_web, loan):
    body = payment()
    first = officer_web.post(action(loan, "record_payment"), body)
    after_first = counts()
    second = officer_web.post(action(loan, "record_payment"), body)
    assert first.status_code == second.status_code == 302
    assert counts() == after_first
    assert OfflinePayment.objects.count() == 1 and Repayment.objects.count() == 2
    assert_books_match(loan)


def test_the_same_utr_on_a_new_form_is_refused_on_the_reference_field(officer_web, loan, borrower):
    other = make_loan(borrower)
    officer_web.post(action(loan, "record_payment"), payment())
    before = counts()
    again = officer_web.post(action(loan, "record_payment"), payment(amount="100.00"))
    assert again.status_code == 200
    assert "already recorded" in " ".join(again.context["form"].errors["reference"])
    elsewhere = officer_web.post(action(other, "record_payment"), payment(reference=UTR.lower(), amount="100.00"))
    assert "already recorded" in " ".join(elsewhere.context["form"].errors["reference"])
    assert counts()[:5] == before[:5]


def test_cash_needs_no_reference_and_a_cheque_its_number(officer_web, loan):
    officer_web.post(action(loan, "record_payment"), payment(method="CASH", reference="", amount="500.00"))
    officer_web.post(action(loan, "record_payment"), payment(method="CHEQUE", reference="004512", amount="600.00"))
    assert sorted(OfflinePayment.objects.values_list("method", "reference", "amount")) == [
        ("CASH", "", Decimal("500.00")),
        ("CHEQUE", "004512", Decimal("600.00")),
    ]
    assert_books_match(loan)


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"amount": "1e3"}, "amount", "digits with at most two decimals"),
        ({"amount": "12.345"}, "amount", "digits with at most two decimals"),
        ({"amount": "-5"}, "amount", "digits with at most two decimals"),
        ({"amount": "0"}, "amount", "digits with at most two decimals"),
        ({"amount": "NaN"}, "amount", "digits with at most two decimals"),
        ({"amount": "1,000"}, "amount", "digits with at most two decimals"),
        ({"amount": ""}, "amount", "required"),
        ({"amount": "78538.63"}, "amount", "At most 78538.62 is owed"),
        ({"reference": ""}, "reference", "UTR of 12 to 22"),
        ({"reference": "ABC123"}, "reference", "UTR of 12 to 22"),
        ({"reference": "HDFC-N5202611291"}, "reference", "UTR of 12 to 22"),
        ({"method": "UPI", "reference": "12345678901234567890123"}, "reference", "12 to 22"),
        ({"method": "CHEQUE", "reference": "12345"}, "reference", "6-digit cheque number"),
        ({"method": "BITCOIN"}, "method", "Select a valid choice"),
        ({"received_on": "2099-01-01"}, "received_on", "Not after the business date"),
        ({"received_on": "2001-01-01"}, "received_on", "Not before the disbursement"),
        ({"received_on": "31/02/2026"}, "received_on", "Enter a valid date"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_books_nothing(officer_web, loan, overrides, field, text):
    before = counts()
    response = officer_web.post(action(loan, "record_payment"), payment(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and text in " ".join(errors[field]), errors
    assert text.split(" ")[0] in response.content.decode()
    assert counts() == before


def test_a_missing_or_forged_token_is_a_form_error_not_a_500(officer_web, loan):
    before = counts()
    response = officer_web.post(action(loan, "record_payment"), payment(token="not-a-uuid"))
    assert response.status_code == 200 and "token" in response.context["form"].errors
    assert counts() == before


# Record a bounce


def test_the_bounce_form_offers_nach_codes_the_unpaid_installments_and_previews_the_charge(officer_web, loan):
    response = officer_web.get(action(loan, "record_bounce"))
    html = response.content.decode()
    assert '<option value="04"' in html  # NACH return codes from the table
    form = response.context["form"]
    assert form["installment"].initial == loan.installments.get(number=1).pk  # the next due
    assert len(form.fields["installment"].queryset) == 6
    assert ("Bounce charge", "₹590.00") in response.context["summary"]
    assert ("GST at 18.00%", "₹106.20") in response.context["summary"]
    assert ("Added to the installment's charges", "₹696.20") in response.context["summary"]
    assert "warning" not in response.context and "DEFAULTS" not in html


def test_a_bounce_recorded_on_the_chosen_installment_and_the_second_warns_and_defaults(officer_web, loan):
    second = loan.installments.get(number=2)
    response = officer_web.post(
        action(loan, "record_bounce"), {"token": str(uuid.uuid4()), "return_code": "04", "installment": second.pk}
    )
    assert response.status_code == 302
    bounce = Bounce.objects.get()
    assert (bounce.installment_id, bounce.return_code_id, bounce.charge, bounce.gst) == (
        second.pk,
        "04",
        Decimal("590.00"),
        Decimal("106.20"),
    )
    second.refresh_from_db()
    assert second.penalty_due == Decimal("696.20")
    assert AuditLog.objects.filter(action="loan.bounced", object_id=str(loan.pk)).count() == 1
    assert_books_match(loan)
    warned = officer_web.get(action(loan, "record_bounce"))
    assert "DEFAULTS the loan" in warned.content.decode()
    officer_web.post(
        action(loan, "record_bounce"), {"token": str(uuid.uuid4()), "return_code": "01", "installment": second.pk}
    )
    loan.refresh_from_db()
    assert (loan.bounce_count, loan.status) == (2, Loan.Status.DEFAULTED)


def test_a_bounce_on_another_loans_installment_or_an_unknown_code_is_a_field_error(officer_web, loan, borrower):
    other = make_loan(borrower).installments.get(number=1)
    before = counts()
    response = officer_web.post(
        action(loan, "record_bounce"), {"token": str(uuid.uuid4()), "return_code": "ZZ", "installment": other.pk}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"return_code", "installment"}
    assert counts() == before


# Waive a charge


@pytest.fixture
def bounced(officer_web, loan):
    officer_web.post(
        action(loan, "record_bounce"),
        {"token": str(uuid.uuid4()), "return_code": "04", "installment": loan.installments.get(number=1).pk},
    )
    loan.refresh_from_db()
    assert loan.outstanding_penalty == Decimal("696.20")
    return loan


def waiver(loan, **overrides) -> dict:
    return {
        "token": str(uuid.uuid4()),
        "installment": loan.installments.get(number=1).pk,
        "amount": "696.20",
        "reason": "Mandate bounced on the bank's side: NPCI outage on the due date",
        **overrides,
    }


def test_the_waiver_form_offers_the_installments_owing_charges(officer_web, bounced):
    assert action(bounced, "waive_charge") in officer_web.get(page(bounced)).content.decode()
    response = officer_web.get(action(bounced, "waive_charge"))
    form = response.context["form"]
    assert list(form.fields["installment"].queryset) == [bounced.installments.get(number=1)]
    assert form["amount"].initial == Decimal("696.20")
    assert "₹696.20 of charges owed" in response.content.decode()


def _approve_in_the_console(approval, reason="Checked with the NPCI outage notice"):
    """A second person, an ADMIN, opens Approvals and presses "Approve and apply"."""
    second = Client()
    second.force_login(AdminFactory())
    assert "Approve and apply" in second.get(f"/admin/audit/approval/{approval.pk}/change/").content.decode()
    second.post(f"/admin/audit/approval/{approval.pk}/transition/approve/", {"reason": reason})
    approval.refresh_from_db()
    return approval


def test_a_waiver_is_asked_then_applied_by_a_second_admin_and_audited(officer_web, bounced):
    response = officer_web.post(action(bounced, "waive_charge"), waiver(bounced, amount="500.00"))
    assert response.status_code == 302
    # One pair of eyes changes nothing: the request waits under Worklists → Approvals.
    assert not ChargeWaiver.objects.exists()
    approval = Approval.objects.get()
    assert (approval.kind, approval.status, approval.payload["amount"]) == ("charge_waiver", "PENDING", "500.00")
    assert "Approve and apply" not in officer_web.get(f"/admin/audit/approval/{approval.pk}/change/").content.decode()
    assert _approve_in_the_console(approval).status == "APPROVED"

    row = ChargeWaiver.objects.get()
    assert row.amount == Decimal("500.00") and row.reason.startswith("Mandate bounced")
    lines = {(line.account_id, line.debit, line.credit) for line in row.journal_entry.lines.all()}
    assert lines == {("5010", Decimal("500.0000"), Decimal("0")), ("1120", Decimal("0"), Decimal("500.0000"))}
    installment = bounced.installments.get(number=1)
    assert installment.penalty_due == Decimal("196.20")
    assert_books_match(bounced)
    assert bounced.outstanding_penalty == Decimal("196.20")
    audit = AuditLog.objects.get(action="loan.charge_waived")
    assert audit.reason.startswith("Mandate bounced") and audit.after["amount"] == "500.00"
    assert AuditLog.objects.filter(action="approval.approved", object_id=str(approval.pk)).exists()
    html = officer_web.get(page(bounced)).content.decode()
    assert "<td>Waiver</td>" in html and "loan.charge_waived" in html


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"reason": "sorry"}, "reason", "at least 10 characters"),
        ({"reason": ""}, "reason", "required"),
        ({"amount": "696.21"}, "amount", "At most 696.20"),
        ({"amount": "0.00"}, "amount", "digits with at most two decimals"),
    ],
)
def test_a_bad_waiver_is_refused_on_its_field_and_changes_nothing(officer_web, bounced, overrides, field, text):
    before = counts()
    response = officer_web.post(action(bounced, "waive_charge"), waiver(bounced, **overrides))
    assert response.status_code == 200
    assert text in " ".join(response.context["form"].errors[field])
    assert counts() == before
    assert_books_match(bounced)
    assert bounced.outstanding_penalty == Decimal("696.20")


def test_a_charge_is_waived_once(officer_web, bounced):
    body = waiver(bounced)
    officer_web.post(action(bounced, "waive_charge"), body)
    officer_web.post(action(bounced, "waive_charge"), body)  # the same form again: asked once
    first = Approval.objects.get()
    officer_web.post(action(bounced, "waive_charge"), waiver(bounced))  # a second request, for the same charge
    second = Approval.objects.exclude(pk=first.pk).get()
    assert _approve_in_the_console(first).status == "APPROVED"
    after = counts()
    # The charge is paid off by the first: the second cannot apply, and stays to be rejected.
    assert _approve_in_the_console(second).status == "PENDING"
    assert counts() == after
    assert ChargeWaiver.objects.get().amount == Decimal("696.20")
    assert_books_match(bounced)
    assert bounced.outstanding_penalty == Decimal("0.00")


def test_a_closed_loan_offers_no_payment_form(officer_web, loan):
    officer_web.post(action(loan, "record_payment"), payment(amount="78538.62"))
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED
    response = officer_web.get(action(loan, "record_payment"), follow=True)
    assert "not possible" in response.content.decode()
    assert OfflinePayment.objects.count() == 1
