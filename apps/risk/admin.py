from django.contrib import admin

from apps.core.admin_base import ReadOnlyAdmin
from apps.risk.models import CreditScore


@admin.register(CreditScore)
class CreditScoreAdmin(ReadOnlyAdmin):
    list_display = ["business", "score", "grade", "rule_set_version", "computed_at"]
    list_filter = ["grade", "rule_set_version"]
    search_fields = ["=business__gstin"]
    list_select_related = ["business"]
