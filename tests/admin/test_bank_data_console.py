"""Bank data in the console: the syncs with each bank's result and their calls, the bank status
log, the shared accounts, and the borrower 360's bank panel (figures in Indian form, twelve
months charted, a stale warning when a bank's last fetch failed), for an OFFICER."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.banking.analytics import cash_flow
from apps.banking.models import BankAccount, BankCall, BankSync, Consent
from apps.banking.sandbox import sandbox_consent_decide
from apps.banking.services import consents_request
from apps.banking.sync import bank_sync_start
from apps.core.inr import inr
from tests.support.factories import BusinessFactory
from tests.support.lending import verified_business
from tests.support.users import staff

pytestmark = pytest.mark.django_db

SYNCS, CALLS, ACCOUNTS, CONSENTS = (
    f"/admin/banking/{name}/" for name in ("banksync", "bankcall", "bankaccount", "consent")
)
# A figure of a lakh or more in Indian form: ₹5,40,000.00, not ₹540,000.00.
LAKHS = re.compile(r"^₹\d{1,2}(,\d\d)*,\d{3}\.\d\d$")
# Any figure in Indian form: ₹612.50, ₹88,000.00, ₹4,63,242.87.
INDIAN = re.compile(r"^₹((\d{1,2},)*\d{1,2},\d{3}|\d{1,3})\.\d\d$")


def _360(business) -> str:
    return f"/admin/borrowers/{business.pk}/"


def _shared(borrower, banks=("HDFC", "ICICI", "SBI")) -> dict:
    """{bank: consent}, each approved at the sandbox aggregator, and one sync run through."""
    consents = consents_request(actor=borrower, banks=list(banks), fi_types=["DEPOSIT"], months=12)
    for consent in consents:
        sandbox_consent_decide(consent_handle=consent.consent_handle, decision="approve")
    bank_sync_start(business=consents[0].business, actor=None, run_now=True)
    return {consent.bank: consent for consent in consents}


@pytest.fixture
def shared(borrower):
    business = verified_business(borrower)
    consents = _shared(borrower)
    return business, consents


def _between(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


def test_the_bank_pages_are_in_the_sidebar_and_open_for_an_officer_not_a_collector(client, shared):
    business, _ = shared
    client.force_login(staff("OFFICER"))
    sidebar = client.get("/admin/").content.decode()
    for url in (CONSENTS, SYNCS, CALLS, ACCOUNTS):
        assert url in sidebar, url
        assert client.get(url).status_code == 200, url
    client.force_login(staff("COLLECTOR"))
    for url in (CONSENTS, SYNCS, CALLS, ACCOUNTS, _360(business)):
        assert client.get(url).status_code == 403, url


def test_a_sync_shows_each_banks_result_and_its_calls(officer_web, shared):
    business, _ = shared
    sync = BankSync.objects.get(business=business)
    listed = officer_web.get(SYNCS, {"q": business.gstin}).content.decode()
    assert business.legal_name in listed and "Done" in listed and "Nightly job" in listed
    page = officer_web.get(f"{SYNCS}{sync.pk}/change/").content.decode()
    results = _between(page, 'id="sync-banks"', "</table>")
    for result in sync.banks:
        counts = f'<td class="num">1</td><td class="num">{result["transactions"]}</td>'
        row = f"<td>{result['bank']}</td><td>DONE</td>{counts}"
        assert row in results, row
    # The inline of its calls, one per bank.
    assert 'id="id_calls-2-id"' in page and 'id="id_calls-3-id"' not in page
    assert all(f"{bank} fi/fetch 200" in page for bank in ("HDFC", "ICICI", "SBI"))
    assert 'name="_save"' not in page and "&lt;table" not in page


def test_the_status_log_filters_by_answer_and_searches_by_gstin(officer_web, shared):
    business, consents = shared
    other = BusinessFactory()
    BankCall.objects.create(
        business=other, bank="AXIS", endpoint="fi/fetch", ok=False, status="503", latency_ms=3012, attempts=3
    )
    sandbox_consent_decide(consent_handle=consents["ICICI"].consent_handle, decision="outage")
    bank_sync_start(business=business, force=True, run_now=True)

    page = officer_web.get(CALLS).content.decode()
    assert "Bank status log" in page
    for header in ("bank", "endpoint", "ok", "status", "latency ms", "attempts", "error"):
        assert header in page.lower(), header
    assert "ICICI is not answering" in page

    def found(**query):
        return sorted(
            (c.business_id == business.pk, c.bank, c.status)
            for c in officer_web.get(CALLS, query).context["cl"].result_list
        )

    failed = found(ok__exact="0")
    assert failed == [(False, "AXIS", "503"), (True, "ICICI", "503")]
    assert found(status="503") == failed
    assert found(status="refused") == []
    # Two syncs of three banks: six calls, ICICI's second one failed; the other business's not.
    mine = found(q=business.gstin)
    assert len(mine) == 6 and all(is_mine for is_mine, _, _ in mine)
    call = BankCall.objects.filter(business=business, ok=False).get()
    detail = officer_web.get(f"{CALLS}{call.pk}/change/").content.decode()
    assert "ICICI is not answering" in detail and "503" in detail and 'name="_save"' not in detail


def test_an_account_shows_its_balance_in_indian_form_and_its_newest_transactions(officer_web, shared):
    business, _ = shared
    account = BankAccount.objects.get(business=business, bank="HDFC")
    assert INDIAN.match(inr(account.balance)), inr(account.balance)
    listed = officer_web.get(ACCOUNTS).content.decode()
    assert "Bank accounts shared through the aggregator" in listed
    assert f'<span class="money">{inr(account.balance)}</span>' in listed
    page = officer_web.get(f"{ACCOUNTS}{account.pk}/change/").content.decode()
    assert inr(account.balance) in page and account.masked_number in page
    table = _between(page, 'id="account-transactions"', "</table>")
    assert table.count("<tr>") == 21  # the header and the newest 20
    newest = account.transactions.order_by("-date", "-posted_at", "-id").first()
    assert newest.narration in table and inr(newest.balance_after) in table


def test_the_360_shows_the_bank_data_its_figures_and_twelve_months_charted(officer_web, shared):
    business, _ = shared
    flow = cash_flow(business)
    page = officer_web.get(_360(business)).content.decode()
    bank = _between(page, 'id="b360-bank"', "</section>")
    assert "No bank data shared" not in bank and 'id="b360-bank-stale"' not in bank

    shown = {
        figure: re.search(rf'id="b360-{figure}">(?:<b>)?([^<]+)<', bank).group(1)
        for figure in ("avg-inflow", "avg-balance", "max-emi")
    }
    assert shown == {
        "avg-inflow": inr(flow.average_monthly_inflow),
        "avg-balance": inr(flow.average_balance),
        "max-emi": inr(flow.max_affordable_emi),
    }
    # The sandbox's receipts are two lakh a month or more: the lakh grouping shows.
    assert LAKHS.match(shown["avg-inflow"]) and LAKHS.match(shown["avg-balance"]), shown
    assert INDIAN.match(shown["max-emi"]), shown
    assert f'id="b360-bounced">{flow.bounced_debits}<' in bank
    assert f"{flow.gst_turnover_ratio}" in _between(bank, 'id="b360-gst-ratio">', "</dd>")
    emis = _between(bank, 'id="b360-emis"', "</table>")
    # The sandbox's SBI account pays a TATA CAPITAL EMI every month (and HDFC a BAJAJ FINANCE one
    # while that loan runs, 2026-2028).
    assert "TATA CAPITAL LTD" in [o["counterparty"] for o in flow.emi_obligations]
    for obligation in flow.emi_obligations:
        row = f'<td>{obligation["counterparty"]}</td><td class="num money">{inr(obligation["amount"])}</td>'
        assert f'{row}<td class="num">{obligation["day_of_month"]}</td>' in emis

    consents = _between(bank, 'id="b360-consents"', "</table>")
    assert [bank_ for bank_ in ("HDFC", "ICICI", "SBI") if f">{bank_}</a>" in consents] == ["HDFC", "ICICI", "SBI"]
    assert consents.count("Active") == 3
    accounts = _between(bank, 'id="b360-bank-accounts"', "</table>")
    for account in BankAccount.objects.filter(business=business):
        assert inr(account.balance) in accounts
    calls = _between(bank, 'id="b360-bank-calls"', "</table>")
    assert calls.count("fi/fetch") == 3

    assert bank.count('<svg class="chart"') == 3
    assert len(flow.months) == 12
    months = [datetime.date.fromisoformat(f"{m['month']}-01").strftime("%b %y") for m in flow.months]
    for key in ("inflow", "outflow", "closing_balance"):
        svg = _between(bank, f'id="b360-chart-{key}"', "</figure>")
        assert re.findall(r'<text class="label"[^>]*>([^<]+)</text>', svg) == months, key
        assert svg.count('<rect class="bar"') == 12, key
        # Each bar's exact figure in Indian form, on hover: the latest month's.
        assert f"<title>{months[-1]}: {inr(flow.months[-1][key])}</title>" in svg, key


def test_the_360_warns_when_a_banks_last_fetch_failed(officer_web, shared):
    business, consents = shared
    sandbox_consent_decide(consent_handle=consents["ICICI"].consent_handle, decision="outage")
    sync, _ = bank_sync_start(business=business, force=True, run_now=True)
    assert sync.status == "PARTIAL" and cash_flow(business).stale
    bank = _between(officer_web.get(_360(business)).content.decode(), 'id="b360-bank"', "</section>")
    warning = _between(bank, 'id="b360-bank-stale">', "</p>")
    assert "Stale" in warning and "ICICI" in warning and "HDFC" not in warning
    consents_table = _between(bank, 'id="b360-consents"', "</table>")
    assert "ICICI is not answering" in consents_table
    assert '<b class="errornote">no</b>' in _between(bank, 'id="b360-bank-calls"', "</table>")


def test_the_360_of_a_business_that_shared_no_bank_data_says_so_in_one_line(officer_web, borrower):
    business = verified_business(borrower)
    bank = _between(officer_web.get(_360(business)).content.decode(), 'id="b360-bank"', "</section>")
    assert 'id="b360-bank-none">No bank data shared</p>' in bank
    assert "<table" not in bank and "<svg" not in bank


def test_the_360_with_a_consent_still_pending_lists_it_and_no_figures(officer_web, borrower):
    business = verified_business(borrower)
    consents_request(actor=borrower, banks=["AXIS"], fi_types=["DEPOSIT"], months=6)
    bank = _between(officer_web.get(_360(business)).content.decode(), 'id="b360-bank"', "</section>")
    assert "Pending" in _between(bank, 'id="b360-consents"', "</table>")
    assert "No transactions fetched yet" in bank and "<svg" not in bank
    assert Consent.objects.get(business=business).status == "PENDING"


def test_the_bank_panel_costs_the_same_queries_however_many_syncs(officer_web, shared):
    business, _ = shared
    officer_web.get(_360(business))  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        officer_web.get(_360(business))
    for _ in range(2):
        bank_sync_start(business=business, force=True, run_now=True)
    with CaptureQueriesContext(connection) as three:
        page = officer_web.get(_360(business)).content.decode()
    assert _between(page, 'id="b360-bank-calls"', "</table>").count("fi/fetch") == 9
    assert len(three) == len(one)
