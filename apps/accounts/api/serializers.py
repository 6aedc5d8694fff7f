from rest_framework import serializers

from apps.accounts.models import Device, User
from apps.core.roles import Role


class OtpSendSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20)


class OtpSentSerializer(serializers.Serializer):
    request_id = serializers.UUIDField()
    expires_in = serializers.IntegerField()


class OtpVerifySerializer(serializers.Serializer):
    request_id = serializers.UUIDField()
    phone = serializers.CharField(max_length=20)
    otp = serializers.CharField(max_length=6, min_length=6)
    # Optional: the fingerprint the app registered with PUT /users/me/device (device trust).
    device_fingerprint = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "phone", "username", "role", "is_frozen"]
        read_only_fields = fields


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginSerializer(TokenPairSerializer):
    user = UserSerializer()


class StaffLoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            "The second-factor code: the six digits of the user's authenticator app (TOTP), or one "
            "of their single-use recovery codes. Required once the user has set up a second factor "
            "(in the admin); without one, when STAFF_OTP_REQUIRED is on, the login is refused with "
            "403 otp_enrolment_required."
        ),
    )


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class DeviceInputSerializer(serializers.Serializer):
    fingerprint = serializers.CharField(max_length=128)
    platform = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    app_version = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "fingerprint", "platform", "app_version", "is_trusted", "first_seen_at", "last_active_at"]
        read_only_fields = fields


class DeviceResultSerializer(DeviceSerializer):
    is_new = serializers.BooleanField()

    class Meta(DeviceSerializer.Meta):
        fields = [*DeviceSerializer.Meta.fields, "is_new"]
        read_only_fields = fields


class StaffCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    role = serializers.ChoiceField(choices=[Role.OFFICER, Role.COLLECTOR, Role.ADMIN])


class FreezeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
