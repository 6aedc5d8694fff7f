"""A throwaway view for the Idempotency-Key tests: counts executions, can be held in flight."""

import datetime
import threading

from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.idempotency import idempotent
from apps.core.models import JobRun

CALLS = []
# A test that sets "event" (and "inside") holds the next call at the gate: inside the view, so
# inside the idempotency transaction with the key taken, and before it counts. "inside" is set
# when it gets there. Only that one call is held; any other runs straight through.
GATE = {"event": None, "inside": None}


class CountingView(APIView):
    permission_classes = [IsAuthenticated]

    @idempotent
    def post(self, request):
        event: threading.Event | None = GATE["event"]
        if event is not None:
            GATE["event"] = None
            GATE["inside"].set()
            event.wait(timeout=30)
        if request.data.get("fail"):
            raise RuntimeError("boom")
        CALLS.append(request.data.get("n"))
        # A database write, as every real idempotent view makes: it must commit with the stored
        # response or not at all.
        JobRun.objects.create(
            name="counting", business_date=datetime.date(2026, 1, 1), triggered_by=str(request.data.get("n"))
        )
        if request.data.get("fail_after_write"):
            raise RuntimeError("the response could not be built")
        return Response({"n": request.data.get("n"), "call": len(CALLS)}, status=201)


urlpatterns = [path("counting", CountingView.as_view())]
