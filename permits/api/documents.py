"""Supporting documents of an application through the API: upload, list, details, download.
The upload goes through the same action as the web page, downloads through the same
permission-checked lookup."""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, renderers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import staff_read_log
from documents import validation
from documents.integrity import MISSING, FileIntegrityError
from documents.models import Document
from documents.responses import document_file_response
from workflow.exceptions import TransitionGuardFailed

from .. import document_selectors, rules
from ..actions import documents as document_actions
from ..actions.integrity import file_integrity_failure_record
from ..document_selectors import document_read
from . import examples
from .document_serializers import DocumentSerializer, DocumentUploadSerializer
from .views import APPLICATION_ID, ApplicationMixin

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


class StoredFileRefused(exceptions.APIException):
    """problem+json for a stored file that failed its integrity check: 410 when it is missing,
    409 when its bytes conflict with the recorded hash (see ``document_views.refused_status``)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "file_integrity_failed"

    def __init__(self, failure: FileIntegrityError) -> None:
        if failure.reason == MISSING:
            self.status_code = status.HTTP_410_GONE
            detail = _("The stored file is missing; the Permits unit has been alerted.")
        else:
            detail = _(
                "The stored file is not the one recorded when it was filed, so it is not "
                "served; the Permits unit has been alerted."
            )
        super().__init__(detail=detail, code=self.default_code)


def verified_file_response(document: Document):
    """The document's file, or problem+json (409/410) once its failure is recorded."""
    try:
        return document_file_response(document)
    except FileIntegrityError as failure:
        file_integrity_failure_record(failure=failure, detected_by="api_download")
        raise StoredFileRefused(failure) from failure


class FileRenderer(renderers.BaseRenderer):
    """Lets any Accept through to views that answer with a file."""

    media_type = "*/*"
    format = "file"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


FILE_RESPONSES = {
    (200, content_type): OpenApiTypes.BINARY for content_type in sorted(validation.EXTENSIONS)
}


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
        return document_selectors.documents_for(
            user=self.request.user, application=self.get_application()
        ).select_related("application")

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
            # A well-formed id the file does not hold (or one this user may not replace) is a
            # request the rules refuse (422), not a malformed one.
            if supersedes is None:
                raise TransitionGuardFailed(
                    {"supersedes": [_("No such document on this file.")]},
                    transition="document_uploaded",
                )
            if not rules.can_supersede_document(supersedes, request.user):
                raise TransitionGuardFailed(
                    {
                        "supersedes": [
                            _("You can only replace a document your organisation uploaded.")
                        ]
                    },
                    transition="document_uploaded",
                )
        document = document_actions.document_upload(
            application=application,
            actor=request.user,
            kind=data["kind"],
            uploaded_file=data["file"],
            supersedes=supersedes,
            shared_with_applicant=data.get("shared_with_applicant", False),
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class _DocumentMixin(ApplicationMixin):
    def get_document(self) -> Document:
        application = self.get_application()
        document = document_selectors.document_get_for_download(
            user=self.request.user, public_id=self.kwargs["document_id"]
        )
        if document.application_id != application.pk:
            raise Http404("No such document.")
        self.application = application
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
    # A swapped (409) or missing (410) file; the object store out of reach (503).
    extra_problem_statuses = {"GET": ("409", "410", "503")}

    @extend_schema(summary="Download a document", responses=FILE_RESPONSES)
    def get(self, request, id, document_id):
        document = self.get_document()
        staff_read_log(
            request, self.application, document_read(document), document=document.public_id
        )
        return verified_file_response(document)
