"""The decision on an application and its licence through the API, each with its PDF."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import What as ReadWhat
from audit.services import staff_read_log
from documents.models import Document

from .. import rules
from . import examples
from .documents import FileRenderer, verified_file_response
from .serializers import DecisionSerializer, LicenceSerializer
from .views import APPLICATION_ID, ApplicationMixin

PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY}

DECISION_EXAMPLE = {
    "outcome": "granted",
    "decided_at": "2026-04-14T11:02:33.000000+02:00",
    "grounds": "",
    "language": "fr",
    "document_ready": True,
    "document_sha256": "1b7e3c9d2a4f6e8b0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f2a4b6c8d0e1f3a5b",
    "signed": True,
}
LICENCE_EXAMPLE = {
    "number": examples.EXAMPLE_REFERENCE,
    "licence_type": "individual",
    "valid_from": "2026-04-14",
    "valid_until": "2027-04-13",
    "status": "valid",
    "issued_at": "2026-04-14T11:02:33.000000+02:00",
}


def _may_read_decisions(request, application) -> None:
    """A member without the right to read decisions sees the file, not its decision."""
    if not rules.can_see_decisions(application, request.user):
        raise PermissionDenied(
            _("Your organisation has not given you the right to read decisions.")
        )


def _decision(application):
    decision = getattr(application, "decision", None)
    if decision is None:
        raise Http404("No decision yet.")
    return decision


def _decision_document(application) -> Document:
    decision = _decision(application)
    document = getattr(decision, "document", None)
    if document is None and decision.document_failed_at:
        raise Http404("The decision's document failed; Brussels International has been alerted.")
    if document is None:
        raise Http404("The decision's document is not ready yet; try again in a few minutes.")
    return document


@extend_schema(tags=["decisions"], parameters=[APPLICATION_ID])
class DecisionView(ApplicationMixin, APIView):
    @extend_schema(
        summary="The decision on an application",
        responses={200: DecisionSerializer},
        examples=[OpenApiExample("Granted", value=DECISION_EXAMPLE, response_only=True)],
    )
    def get(self, request, id):
        application = self.get_application()
        _may_read_decisions(request, application)
        return Response(DecisionSerializer(_decision(application)).data)


@extend_schema(tags=["decisions"], parameters=[APPLICATION_ID])
class DecisionPdfView(ApplicationMixin, APIView):
    renderer_classes = [FileRenderer]
    # A swapped (409) or missing (410) file; the object store out of reach (503).
    extra_problem_statuses = {"GET": ("409", "410", "503")}

    @extend_schema(
        summary="Download the decision (licence or refusal letter)", responses=PDF_RESPONSE
    )
    def get(self, request, id):
        application = self.get_application()
        _may_read_decisions(request, application)
        document = _decision_document(application)
        staff_read_log(request, application, ReadWhat.DECISION_PDF, document=document.public_id)
        return verified_file_response(document)


@extend_schema(tags=["decisions"], parameters=[APPLICATION_ID])
class LicenceView(ApplicationMixin, APIView):
    @extend_schema(
        summary="The licence issued on an application",
        responses={200: LicenceSerializer},
        examples=[OpenApiExample("A licence", value=LICENCE_EXAMPLE, response_only=True)],
    )
    def get(self, request, id):
        licence = getattr(self.get_application(), "licence", None)
        if licence is None:
            raise Http404("No licence.")
        return Response(LicenceSerializer(licence).data)


@extend_schema(tags=["decisions"], parameters=[APPLICATION_ID])
class LicencePdfView(ApplicationMixin, APIView):
    renderer_classes = [FileRenderer]
    # A swapped (409) or missing (410) file; the object store out of reach (503).
    extra_problem_statuses = {"GET": ("409", "410", "503")}

    @extend_schema(summary="Download the licence", responses=PDF_RESPONSE)
    def get(self, request, id):
        application = self.get_application()
        if getattr(application, "licence", None) is None:
            raise Http404("No licence.")
        _may_read_decisions(request, application)
        document = _decision_document(application)
        staff_read_log(request, application, ReadWhat.DECISION_PDF, document=document.public_id)
        return verified_file_response(document)
