"""Send reads of reports and admin lists to a replica when DATABASE_REPLICA_URL is set.

Only models that opt in with `replica_reads = True` are read from the replica: everything
that takes part in a money transaction reads the primary, where the locks are.
"""


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return "replica" if getattr(model, "replica_reads", False) else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
