from constance import config
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api import serializers as s
from apps.accounts.models import User
from apps.accounts.services import (
    device_register,
    otp_send,
    otp_verify,
    refresh_token_rotate,
    staff_login,
    user_create_staff,
    user_freeze,
    user_logout,
    user_unfreeze,
)
from apps.accounts.tokens import tokens_for_user
from apps.audit import context
from apps.core.permissions import IsAdmin, IsBorrower
from apps.core.schema import error


class OtpSendView(APIView):
    throttle_scope = "auth"
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=s.OtpSendSerializer, responses={200: s.OtpSentSerializer})
    def post(self, request):
        data = s.OtpSendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        challenge = otp_send(phone=data.validated_data["phone"], ip=context.client_ip())
        return Response({"request_id": challenge.id, "expires_in": config.OTP_TTL_SECONDS})


class OtpVerifyView(APIView):
    throttle_scope = "auth"
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=s.OtpVerifySerializer, responses={200: s.LoginSerializer})
    def post(self, request):
        data = s.OtpVerifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = otp_verify(**data.validated_data, ip=context.client_ip())
        return Response({**tokens_for_user(user), "user": s.UserSerializer(user).data})


class StaffTokenView(APIView):
    throttle_scope = "auth"
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=s.StaffLoginSerializer,
        responses={
            200: s.TokenPairSerializer,
            400: error("`invalid`: wrong username or password (or not a staff user)."),
            401: error(
                "`otp_required`: the user has a second factor and `otp` is empty; "
                "`otp_invalid`: the code is wrong or already used."
            ),
            403: error(
                "`user_frozen`; `otp_enrolment_required`: STAFF_OTP_REQUIRED is on and the user has "
                "not set up a second factor yet (done in the admin)."
            ),
            429: error(
                "`login_locked`: too many failed logins for this username or from this address "
                "(Retry-After says when to try again, or an ADMIN unlocks the user); `otp_throttled`: "
                "wrong codes, wait Retry-After seconds."
            ),
        },
    )
    def post(self, request):
        data = s.StaffLoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = staff_login(request=request._request, **data.validated_data)
        return Response(tokens_for_user(user))


class RefreshView(APIView):
    throttle_scope = "auth"
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=s.RefreshSerializer,
        responses={
            200: s.TokenPairSerializer,
            401: error(
                "`token_not_valid`: expired, revoked, already rotated, or of a frozen user. Presenting "
                "a token that was rotated a while ago revokes every token of its login."
            ),
        },
    )
    def post(self, request):
        data = s.RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(refresh_token_rotate(refresh=data.validated_data["refresh"]))


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.LogoutSerializer, responses={204: None})
    def post(self, request):
        data = s.LogoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user_logout(user=request.user, refresh=data.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.UserSerializer})
    def get(self, request):
        return Response(s.UserSerializer(request.user).data)


class MyDeviceView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(request=s.DeviceInputSerializer, responses={200: s.DeviceResultSerializer})
    def put(self, request):
        data = s.DeviceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device, created = device_register(user=request.user, **data.validated_data)
        device.is_new = created
        return Response(s.DeviceResultSerializer(device).data)


class StaffUsersView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=s.StaffCreateSerializer, responses={201: s.UserSerializer})
    def post(self, request):
        data = s.StaffCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_create_staff(**data.validated_data, actor=request.user)
        return Response(s.UserSerializer(user).data, status=status.HTTP_201_CREATED)


class FreezeView(APIView):
    permission_classes = [IsAdmin]
    freeze = True

    @extend_schema(request=s.FreezeSerializer, responses={200: s.UserSerializer})
    def post(self, request, pk):
        data = s.FreezeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = user_freeze if self.freeze else user_unfreeze
        user: User = action(user_id=pk, actor=request.user, reason=data.validated_data["reason"])
        return Response(s.UserSerializer(user).data)
