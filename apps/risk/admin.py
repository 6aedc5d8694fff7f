from django.contrib import admin

from apps.core.admin_base import ReadOnlyAdmin
from apps.core.admin_filters import fixed_choices_filter
from apps.risk.models import CreditScore
from apps.risk.rules import GRADES


@admin.register(CreditScore)
class CreditScoreAdmin(ReadOnlyAdmin):
    list_display = ["business", "score", "grade", "rule_set_version", "computed_at"]
    # Grades from the rule set, not a DISTINCT over every score; no filter on rule_set_version,
    # whose past values only the table knows (it is shown in the list).
    list_filter = [fixed_choices_filter("grade", sorted(grade for _, grade in GRADES))]
    search_fields = ["=business__gstin"]
    list_select_related = ["business"]
