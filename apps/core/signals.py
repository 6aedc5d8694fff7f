"""Signals lower layers send so that higher ones (audit) can react without being imported.

`audit_event` is sent inside the transaction that made the change; the audit app writes the
record synchronously, so a change and its audit row commit or roll back together.
Keyword arguments: action, object_type, object_id, before, after, actor, reason.
"""

from django.dispatch import Signal

audit_event = Signal()
