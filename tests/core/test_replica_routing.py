"""Replica routing by context: reports and admin lists opt in with use_replica(); money paths read
the primary even inside it.

"replica" here is a second connection to the test database (what a real replica would be, minus
the lag), so a read that went there shows up in that connection's queries. The tests commit
(transaction=True): a read inside a test transaction stays on the primary by design.
"""

import copy

import pytest
from django.db import connections, router, transaction
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext

from apps.core.replica import use_primary, use_replica
from apps.ledger.models import JournalEntry
from apps.ledger.services import journal_reverse
from tests.support.ledger import post
from tests.support.users import client_for, make_user, staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def replica(ledger_chart, settings):
    """What DATABASE_REPLICA_URL configures (a "replica" alias and the router), the alias a second
    connection to the test database."""
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    connection = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "replica")
    connections["replica"] = connection
    settings.DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
    yield connection
    connection.close()
    del connections["replica"]


def test_reads_go_to_the_replica_only_inside_the_context(replica):
    assert router.db_for_read(JournalEntry) == "default"
    with use_replica():
        assert router.db_for_read(JournalEntry) == "replica"
        assert router.db_for_write(JournalEntry) == "default"
        with use_primary():
            assert router.db_for_read(JournalEntry) == "default"
        with CaptureQueriesContext(replica) as on_replica:
            JournalEntry.objects.count()
        assert len(on_replica.captured_queries) == 1
    assert router.db_for_read(JournalEntry) == "default"


def test_inside_a_transaction_reads_stay_on_the_primary(replica):
    with use_replica(), transaction.atomic():
        assert router.db_for_read(JournalEntry) == "default"


def test_without_a_replica_every_read_is_default(ledger_chart):
    with use_replica():
        assert router.db_for_read(JournalEntry) == "default"
        assert JournalEntry.objects.all().db == "default"


def test_the_ledger_replays_and_reverses_from_the_primary_inside_the_context(replica):
    first = post(key="replica-1")
    with use_replica(), CaptureQueriesContext(replica) as on_replica:
        replayed = post(key="replica-1")
        reversal = journal_reverse(entry=replayed, reason="test")
        assert journal_reverse(entry=first, reason="test").pk == reversal.pk
    assert replayed.pk == first.pk
    assert reversal.reverses_id == first.pk
    assert on_replica.captured_queries == []


def test_reports_read_the_replica(replica):
    admin = make_user("ADMIN")
    with CaptureQueriesContext(replica) as on_replica:
        response = client_for(admin).get("/api/v1/admin/portfolio/summary")
    assert response.status_code == 200
    assert any("loans_loan" in query["sql"] for query in on_replica.captured_queries)


def test_admin_lists_read_the_replica_and_their_actions_the_primary(replica, client):
    client.force_login(staff("ADMIN"))
    post(key="replica-1")
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get("/admin/ledger/journalentry/").status_code == 200
    assert any("ledger_journalentry" in query["sql"] for query in on_replica.captured_queries)
    assert not any("auth_permission" in query["sql"] for query in on_replica.captured_queries)

    with CaptureQueriesContext(replica) as on_replica:
        client.post("/admin/ledger/journalentry/", {"action": "no_such_action", "_selected_action": []})
    assert on_replica.captured_queries == []
