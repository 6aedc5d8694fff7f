"""The one shape of an endpoint that calls a service (views hold no logic): check the input with
its serializer (a 400 naming each bad field), call the service with the caller as `actor`, and
answer with the output serializer of what it returned."""

from rest_framework import status
from rest_framework.response import Response


def serve(request, service, given, answer, *, created=False, accepted=False, query=False, **arguments) -> Response:
    """`given`, `answer`: the input and output serializers; `created`: answer 201; `accepted`:
    answer 202 (a request that waits, e.g. for a second person's approval); `query`: check
    the query string (a GET) instead of the body; `arguments`: what the view adds from the URL or
    the caller (a loan id from the path, the caller's business)."""
    checked = given(data=request.query_params if query else request.data)
    checked.is_valid(raise_exception=True)
    result = service(actor=request.user, **arguments, **checked.validated_data)
    code = status.HTTP_201_CREATED if created else status.HTTP_202_ACCEPTED if accepted else status.HTTP_200_OK
    return Response(answer(result).data, status=code)
