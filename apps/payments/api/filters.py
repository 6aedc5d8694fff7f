import django_filters

from apps.loans.models import Payout


class PayoutFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Payout.Status.choices)

    class Meta:
        model = Payout
        fields = ["status"]
