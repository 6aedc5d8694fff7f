from django.urls import path

from apps.banking.api import sandbox_views

urlpatterns = [
    path("jwks", sandbox_views.jwks, name="sandbox-aa-jwks"),
    path("consents/<str:handle>", sandbox_views.consent_page, name="sandbox-aa-consent"),
    path("consents/<str:handle>/<str:decision>", sandbox_views.decide, name="sandbox-aa-decide"),
]
