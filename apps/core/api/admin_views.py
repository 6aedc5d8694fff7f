"""ADMIN endpoints of core: the business date and the jobs."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.fields import DateField
from apps.core.api.filters import JobRunFilter
from apps.core.business_date import business_date_set, get_business_date
from apps.core.errors import NotFound
from apps.core.jobs import get_job
from apps.core.jobs_runner import job_dispatch, run_or_conflict
from apps.core.models import JobRun
from apps.core.pagination import DefaultCursorPagination
from apps.core.permissions import IsAdmin


class BusinessDateSerializer(serializers.Serializer):
    business_date = DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", write_only=True)


class BusinessDateView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses={200: BusinessDateSerializer})
    def get(self, request):
        return Response({"business_date": get_business_date()})

    @extend_schema(request=BusinessDateSerializer, responses={200: BusinessDateSerializer})
    def put(self, request):
        data = BusinessDateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        day = business_date_set(
            date=data.validated_data["business_date"], actor=request.user, reason=data.validated_data["reason"]
        )
        return Response({"business_date": day})


class JobRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobRun
        fields = [
            "id",
            "name",
            "business_date",
            "status",
            "triggered_by",
            "created_at",
            "started_at",
            "finished_at",
            "duration_ms",
            "counts",
            "error",
        ]
        read_only_fields = fields


class JobRunView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("sync", bool, description="run in the request and return the finished run")],
        responses={200: JobRunSerializer, 202: JobRunSerializer},
    )
    def post(self, request, name):
        if get_job(name) is None:
            raise NotFound(f"No job named {name!r}.")
        who = request.user.get_username()
        if request.query_params.get("sync", "").lower() in ("1", "true", "yes"):
            run = run_or_conflict(name, triggered_by=who, actor=request.user)
            return Response(JobRunSerializer(run).data, status=status.HTTP_200_OK)
        run = job_dispatch(name, triggered_by=who, actor=request.user)
        return Response(JobRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class JobRunListView(generics.ListAPIView):
    permission_classes = [IsAdmin]
    serializer_class = JobRunSerializer
    pagination_class = DefaultCursorPagination

    filterset_class = JobRunFilter
    queryset = JobRun.objects.all()
