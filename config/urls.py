from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core.api.views import HealthView, ReadyView, metrics_view
from apps.core.storage_urls import serve_signed_file

api_v1 = [
    path("", include("apps.core.api.urls")),
    path("", include("apps.audit.api.urls")),
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.ledger.api.urls")),
    path("", include("apps.kyc.api.urls")),
    path("", include("apps.banking.api.urls")),
    path("", include("apps.risk.api.urls")),
    path("", include("apps.invoices.api.urls")),
    path("", include("apps.loans.api.urls")),
    path("", include("apps.repayments.api.urls")),
    path("", include("apps.payments.api.urls")),
    path("", include("apps.webhooks.api.urls")),
    path("", include("apps.collections.api.urls")),
    path("", include("apps.reports.api.urls")),
]

urlpatterns = [
    path("health", HealthView.as_view(), name="health"),
    path("health/ready", ReadyView.as_view(), name="health-ready"),
    path("metrics", metrics_view, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/v1/", include(api_v1)),
    path("files/<str:token>", serve_signed_file, name="signed-file"),
    # The sandbox payment rail's pages (404 unless SANDBOX): docs/sandbox.md.
    path("sandbox/rail/", include("apps.payments.api.sandbox_urls")),
    # The sandbox account aggregator's pages and JWKS (404 unless SANDBOX): docs/sandbox.md.
    path("sandbox/aa/", include("apps.banking.api.sandbox_urls")),
    path("admin/", admin.site.urls),
]

handler400 = "apps.core.errors.bad_request"
handler403 = "apps.core.errors.permission_denied"
handler404 = "apps.core.errors.page_not_found"
handler500 = "apps.core.errors.server_error"
