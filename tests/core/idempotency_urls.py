"""A throwaway view for the Idempotency-Key tests: counts executions, can be held in flight."""

import threading

from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.idempotency import idempotent

CALLS = []
GATE = {"event": None}


class CountingView(APIView):
    permission_classes = [IsAuthenticated]

    @idempotent
    def post(self, request):
        event: threading.Event | None = GATE["event"]
        if event is not None:
            event.wait(timeout=5)
        if request.data.get("fail"):
            raise RuntimeError("boom")
        CALLS.append(request.data.get("n"))
        return Response({"n": request.data.get("n"), "call": len(CALLS)}, status=201)


urlpatterns = [path("counting", CountingView.as_view())]
