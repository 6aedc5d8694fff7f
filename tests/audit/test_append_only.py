import pytest
from django.db import DatabaseError, connection, transaction

from apps.audit.models import AuditLog
from apps.audit.services import record

pytestmark = pytest.mark.django_db


def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_audit_rows_refuse_raw_update_and_delete(admin_user):
    row = record("test.happened", object_type="test.thing", object_id="1", after={"x": 1}, actor=admin_user)
    with pytest.raises(DatabaseError, match="Cannot update or delete"):
        _raw("UPDATE audit_auditlog SET action = 'forged' WHERE id = %s", [row.id])
    with pytest.raises(DatabaseError, match="Cannot update or delete"):
        _raw("DELETE FROM audit_auditlog WHERE id = %s", [row.id])
    assert AuditLog.objects.get(id=row.id).action == "test.happened"


def test_audit_rows_refuse_orm_delete(admin_user):
    row = record("test.happened", object_type="test.thing", object_id="1", actor=admin_user)
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        AuditLog.objects.filter(id=row.id).delete()


def test_record_fills_actor_role(admin_user):
    row = record("test.happened", object_type="t", object_id="1", actor=admin_user, before={"a": 1}, after={"a": 2})
    assert row.actor_role == "ADMIN"
    assert row.before == {"a": 1} and row.after == {"a": 2}
