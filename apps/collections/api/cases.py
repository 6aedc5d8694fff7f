"""/collections/cases: the collection desk over HTTP (API.md "Collections").

OFFICER and ADMIN see and work every case; a COLLECTOR only the cases assigned to them (any
other case is 404, through cases_visible_to)."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.collections.cases import case_action_log, case_assign, case_open, visible_case
from apps.collections.models import CaseAction, CaseEvent, CollectionCase
from apps.collections.selectors import cases_visible_to
from apps.core.api.fields import DateField, MoneyField, MoneyOutputField
from apps.core.api.service_call import serve
from apps.core.idempotency import idempotent
from apps.core.pagination import DefaultCursorPagination
from apps.core.permissions import IsOfficerOrAdmin, IsStaff


class PromiseSerializer(serializers.Serializer):
    amount = MoneyOutputField()
    due_on = serializers.DateField()
    status = serializers.CharField()


class CaseSerializer(serializers.ModelSerializer):
    loan_id = serializers.UUIDField(read_only=True)
    business_id = serializers.UUIDField(read_only=True)
    assigned_to = serializers.UUIDField(source="assigned_to_id", read_only=True, allow_null=True)
    amount_overdue = MoneyOutputField(read_only=True)
    principal_outstanding = MoneyOutputField(read_only=True)
    ptp = serializers.SerializerMethodField()

    class Meta:
        model = CollectionCase
        fields = [
            "id",
            "loan_id",
            "business_id",
            "status",
            "bucket",
            "dpd",
            "amount_overdue",
            "principal_outstanding",
            "assigned_to",
            "opened_on",
            "closed_on",
            "ptp",
            "next_action_on",
        ]
        read_only_fields = fields

    @extend_schema(responses=PromiseSerializer(allow_null=True))
    def get_ptp(self, case) -> dict | None:
        if case.ptp_amount is None:
            return None
        return {"amount": f"{case.ptp_amount:.2f}", "due_on": case.ptp_due_on, "status": "PENDING"}


class CaseActionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
    ptp_amount = MoneyOutputField(source="promise.amount", default=None, read_only=True, allow_null=True)
    ptp_due_on = serializers.DateField(source="promise.due_on", default=None, read_only=True, allow_null=True)

    class Meta:
        model = CaseAction
        fields = ["id", "type", "outcome", "notes", "ptp_amount", "ptp_due_on", "business_date", "actor", "created_at"]
        read_only_fields = fields


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "type", "business_date", "at", "actor", "data"]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    actions = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "actions", "events"]
        read_only_fields = fields

    @extend_schema(responses=CaseActionSerializer(many=True))
    def get_actions(self, case) -> list:
        return CaseActionSerializer(
            case.actions.select_related("actor", "promise").order_by("-created_at"), many=True
        ).data

    @extend_schema(responses=CaseEventSerializer(many=True))
    def get_events(self, case) -> list:
        return CaseEventSerializer(case.events.select_related("actor").order_by("-id"), many=True).data


class CaseOpenSerializer(serializers.Serializer):
    loan_id = serializers.UUIDField()


class CaseActionInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=CaseAction.Type.choices)
    outcome = serializers.ChoiceField(choices=CaseAction.Outcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    ptp_amount = MoneyField(required=False, allow_null=True, default=None)
    ptp_due_on = DateField(required=False, allow_null=True, default=None)


class CaseAssignSerializer(serializers.Serializer):
    collector_id = serializers.UUIDField()


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CollectionCase.Status.choices)
    bucket = django_filters.ChoiceFilter(
        choices=[("SMA_0", "SMA-0"), ("SMA_1", "SMA-1"), ("SMA_2", "SMA-2"), ("NPA", "NPA")]
    )
    assigned_to = django_filters.UUIDFilter(field_name="assigned_to_id")
    loan = django_filters.UUIDFilter(field_name="loan_id")

    class Meta:
        model = CollectionCase
        fields = ["status", "bucket", "assigned_to", "loan"]


class CaseListView(generics.ListAPIView):
    queryset = CollectionCase.objects.none()  # for the schema; get_queryset scopes to the caller
    permission_classes = [IsStaff]
    serializer_class = CaseSerializer
    pagination_class = DefaultCursorPagination
    filterset_class = CaseFilter

    def get_queryset(self):
        return cases_visible_to(self.request.user)

    @extend_schema(request=CaseOpenSerializer, responses={201: CaseSerializer, 200: CaseSerializer})
    @idempotent
    def post(self, request):
        if not IsOfficerOrAdmin().has_permission(request, self):
            self.permission_denied(request, message="Only an OFFICER or ADMIN opens a case by hand.")
        data = CaseOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case, created = case_open(loan_id=data.validated_data["loan_id"], actor=request.user)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CaseDetailView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, pk):
        return Response(CaseDetailSerializer(visible_case(pk, request.user)).data)


class CaseActionView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(request=CaseActionInputSerializer, responses={201: CaseActionSerializer})
    @idempotent
    def post(self, request, pk):
        return serve(
            request, case_action_log, CaseActionInputSerializer, CaseActionSerializer, created=True, case_id=pk
        )


class CaseAssignView(APIView):
    permission_classes = [IsOfficerOrAdmin]

    @extend_schema(request=CaseAssignSerializer, responses=CaseSerializer)
    def post(self, request, pk):
        data = CaseAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_assign(case_id=pk, collector_id=data.validated_data["collector_id"], actor=request.user)
        return Response(CaseSerializer(case).data)
