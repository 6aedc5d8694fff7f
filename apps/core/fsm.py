"""django-fsm-2 helpers shared by every model with a protected state field."""

from django_fsm import FSMFieldMixin


class FSMModelMixin:
    """Lets `refresh_from_db` reload protected FSM fields, safely across threads.

    django-fsm's own mixin lifts the protection by switching `protected` off on the model's
    field object, which every thread shares, and back on afterwards: a refresh in another thread
    in between raises "Direct status modification is not allowed". A protected field refuses a
    write only when the instance already holds a value, so dropping this instance's own values
    first reloads them without touching shared state. The fields are named explicitly because
    Django would otherwise treat a dropped value as deferred and not reload it.
    """

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        protected = {f.attname for f in self._meta.concrete_fields if isinstance(f, FSMFieldMixin) and f.protected}
        if fields is None:
            deferred = self.get_deferred_fields()
            fields = [
                f.attname for f in self._meta.concrete_fields if f.attname not in deferred or f.attname in protected
            ]
            self._prefetched_objects_cache = {}
        for name in protected.intersection(fields):
            self.__dict__.pop(name, None)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
