"""Reads go to the replica only inside `apps.core.replica.use_replica()` (reports and admin
lists), and only outside a transaction on the primary: a read inside one belongs to it, and
every service that moves money runs in one. Writes and migrations always go to `default`.

Installed by the settings only when DATABASE_REPLICA_URL is set, so without a replica every
read is `default` whatever the context says.
"""

from django.db import DEFAULT_DB_ALIAS, connections

from apps.core.replica import replica_reads

REPLICA = "replica"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if replica_reads() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
