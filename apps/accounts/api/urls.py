from django.urls import path

from apps.accounts.api import views

urlpatterns = [
    path("auth/otp/send", views.OtpSendView.as_view(), name="otp-send"),
    path("auth/otp/verify", views.OtpVerifyView.as_view(), name="otp-verify"),
    path("auth/token", views.StaffTokenView.as_view(), name="token"),
    path("auth/token/refresh", views.RefreshView.as_view(), name="token-refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="logout"),
    path("auth/me", views.MeView.as_view(), name="me"),
    path("users/me/device", views.MyDeviceView.as_view(), name="my-device"),
    path("admin/users", views.StaffUsersView.as_view(), name="staff-users"),
    path("admin/users/<uuid:pk>/freeze", views.FreezeView.as_view(freeze=True), name="user-freeze"),
    path("admin/users/<uuid:pk>/unfreeze", views.FreezeView.as_view(freeze=False), name="user-unfreeze"),
]
