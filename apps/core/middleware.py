"""Refuses requests PostgreSQL could never store, before any view passes them on to it."""

from django.http import HttpResponseBadRequest, JsonResponse

from apps.core.errors import error_body

NUL = "\x00"


class RejectNulBytesMiddleware:
    """A NUL byte in the path or a query parameter is a 400 naming the parameter.

    PostgreSQL text cannot hold NUL, so a filter like `?action=%00` reached the database and
    failed there with a 500. Bodies are covered by the serializers (DRF's CharField refuses NUL)
    and Django's form fields; query parameters go straight to querysets, so they are checked
    here, once, for every view and the admin.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        culprit = None
        if NUL in request.path:
            culprit = "path"
        else:
            for key, values in request.GET.lists():
                if NUL in key or any(NUL in value for value in values):
                    culprit = key.replace(NUL, "\\x00")
                    break
        if culprit is None:
            return self.get_response(request)
        message = "NUL bytes are not allowed."
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(message, "invalid", {culprit: [message]}), status=400)
        return HttpResponseBadRequest(f"{culprit}: {message}", content_type="text/plain")
