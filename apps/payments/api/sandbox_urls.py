from django.urls import path

from apps.payments.api import sandbox_pages

urlpatterns = [
    path("pay/<uuid:intent_id>", sandbox_pages.payment_page, name="sandbox-rail-pay"),
    path("mandates/<uuid:mandate_id>", sandbox_pages.mandate_page, name="sandbox-rail-mandate"),
    path("payouts/<uuid:payout_id>", sandbox_pages.payout_page, name="sandbox-rail-payout"),
]
