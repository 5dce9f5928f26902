"""Supporting documents, decisions and licences of an application, through the documents
services and selectors: upload, list, download; decision and licence with their PDF."""

from __future__ import annotations

import logging

import django_filters
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, renderers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from permits.api import examples
from permits.api.serializers import DecisionSerializer, LicenceSerializer
from permits.api.views import APPLICATION_ID, ApplicationMixin

from .. import selectors, services, validation
from ..models import Document
from ..views import content_disposition
from .serializers import DocumentSerializer, DocumentUploadSerializer

logger = logging.getLogger(__name__)

DOCUMENT_ID = OpenApiParameter(
    "document_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The document's id."
)
DOCUMENT_EXAMPLE = {
    "id": "7d0c5a6e-1f2b-4b8e-8a3c-5e9d2f1b0c77",
    "kind": "end_user_certificate",
    "original_name": "EUC Forsvarsmateriell.pdf",
    "content_type": "application/pdf",
    "size": 182331,
    "sha256": "9f2c4e0b7d1a6c3e5f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6",
    "uploaded_at": "2026-03-02T09:25:51.300000+01:00",
    "signed": False,
    "supersedes": None,
    "current": True,
    "download": f"/api/v1/applications/{examples.EXAMPLE_ID}/documents/"
    "7d0c5a6e-1f2b-4b8e-8a3c-5e9d2f1b0c77/download/",
}
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


class FileRenderer(renderers.BaseRenderer):
    """Lets any Accept through to views that answer with a file."""

    media_type = "*/*"
    format = "file"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def file_response(document: Document) -> FileResponse:
    try:
        handle = document.file.storage.open(document.file.name, "rb")
    except OSError as exc:
        logger.error("Stored file of document %s is missing: %s", document.public_id, exc)
        raise Http404("No such document.") from exc
    response = FileResponse(handle, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition(
        validation.download_filename(document.original_name, document.content_type)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


FILE_RESPONSES = {
    (200, content_type): OpenApiTypes.BINARY for content_type in sorted(validation.EXTENSIONS)
}
PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY}


class DocumentFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Document.Kind.choices)
    current = django_filters.BooleanFilter(
        field_name="superseded_by", lookup_expr="isnull", label="only current documents"
    )

    class Meta:
        model = Document
        fields: list[str] = []


@extend_schema(tags=["documents"], parameters=[APPLICATION_ID])
class DocumentListUploadView(ApplicationMixin, generics.ListAPIView):
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    ordering_fields = ["uploaded_at"]
    ordering = ["uploaded_at"]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        return selectors.document_list(application=self.get_application()).select_related(
            "application"
        )

    @extend_schema(
        summary="List the documents of an application",
        examples=[OpenApiExample("A document", value=DOCUMENT_EXAMPLE, response_only=True)],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Upload a supporting document (PDF, PNG or JPEG)",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
        examples=[OpenApiExample("A document", value=DOCUMENT_EXAMPLE, response_only=True)],
    )
    def post(self, request, id):
        application = self.get_application()
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        supersedes = None
        if data.get("supersedes"):
            supersedes = Document.objects.filter(
                public_id=data["supersedes"], application=application
            ).first()
            if supersedes is None:
                raise ValidationError({"supersedes": [_("No such document on this file.")]})
        document = services.document_upload(
            application=application,
            actor=request.user,
            kind=data["kind"],
            uploaded_file=data["file"],
            supersedes=supersedes,
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class _DocumentMixin(ApplicationMixin):
    def get_document(self) -> Document:
        application = self.get_application()
        document = selectors.document_get_for_download(
            user=self.request.user, public_id=self.kwargs["document_id"]
        )
        if document.application_id != application.pk:
            raise Http404("No such document.")
        return document


@extend_schema(tags=["documents"], parameters=[APPLICATION_ID, DOCUMENT_ID])
class DocumentDetailView(_DocumentMixin, APIView):
    @extend_schema(
        summary="A document's details",
        responses={200: DocumentSerializer},
        examples=[OpenApiExample("A document", value=DOCUMENT_EXAMPLE, response_only=True)],
    )
    def get(self, request, id, document_id):
        return Response(DocumentSerializer(self.get_document()).data)


@extend_schema(tags=["documents"], parameters=[APPLICATION_ID, DOCUMENT_ID])
class DocumentDownloadView(_DocumentMixin, APIView):
    renderer_classes = [FileRenderer]

    @extend_schema(summary="Download a document", responses=FILE_RESPONSES)
    def get(self, request, id, document_id):
        return file_response(self.get_document())


def _decision(application):
    decision = getattr(application, "decision", None)
    if decision is None:
        raise Http404("No decision yet.")
    return decision


def _decision_document(application) -> Document:
    document = getattr(_decision(application), "document", None)
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
        return Response(DecisionSerializer(_decision(self.get_application())).data)


@extend_schema(tags=["decisions"], parameters=[APPLICATION_ID])
class DecisionPdfView(ApplicationMixin, APIView):
    renderer_classes = [FileRenderer]

    @extend_schema(
        summary="Download the decision (licence or refusal letter)", responses=PDF_RESPONSE
    )
    def get(self, request, id):
        return file_response(_decision_document(self.get_application()))


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

    @extend_schema(summary="Download the licence", responses=PDF_RESPONSE)
    def get(self, request, id):
        application = self.get_application()
        if getattr(application, "licence", None) is None:
            raise Http404("No licence.")
        return file_response(_decision_document(application))
