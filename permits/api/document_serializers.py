"""Serializers of the documents API: a stored document, and an upload."""

from __future__ import annotations

from rest_framework import serializers

from documents.models import Document


class DocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.ChoiceField(choices=Document.Kind.choices, read_only=True)
    original_name = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    sha256 = serializers.CharField(read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True)
    signed = serializers.BooleanField(read_only=True)
    supersedes = serializers.UUIDField(
        source="supersedes.public_id", read_only=True, allow_null=True
    )
    current = serializers.BooleanField(source="is_current", read_only=True)
    shared_with_applicant = serializers.BooleanField(
        read_only=True, help_text="False: a staff document the applicant never sees."
    )
    download = serializers.SerializerMethodField()

    def get_download(self, document: Document) -> str:
        return (
            f"/api/v1/applications/{document.application.url_key}/documents/"
            f"{document.public_id}/download/"
        )


DOCUMENT_KINDS = Document.Kind.choices
UPLOADABLE_KINDS = [(k, v) for k, v in Document.Kind.choices if k != Document.Kind.DECISION]


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=UPLOADABLE_KINDS)
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    supersedes = serializers.UUIDField(
        required=False, help_text="The document this one corrects (it stays on file)."
    )
    shared_with_applicant = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Staff uploads only: true shares the document with the applicant; otherwise it is "
            "staff only. What an applicant uploads is always theirs to read."
        ),
    )
