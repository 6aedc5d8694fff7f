import django_filters

from apps.collections.models import RecoveryAction


class RecoveryActionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RecoveryAction.Status.choices)
    loan = django_filters.UUIDFilter(field_name="loan_id")

    class Meta:
        model = RecoveryAction
        fields = ["status", "loan"]
