"""The staff side of a file through the API, as on the staff case page: internal notes,
compliance screening and the clearance of its flags, consultations of other authorities, the
criteria worksheet and the Government's decision. Thin: each endpoint calls the action the page
calls; the actions decide who may act and when.

Everything here is staff only. An applicant (or anyone who does not work for the unit) gets a
404 on every endpoint, as on the pages: they do not learn whether the file has notes, flags or
consultations. Auditors read and change nothing (403 on writes).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import What as ReadWhat
from audit.services import staff_read_log
from workflow.exceptions import TransitionForbidden

from .. import rules, selectors
from ..actions import assignment, consultations, criteria, decide, screening
from ..compliance.criteria import CRITERIA
from ..compliance.models import (
    Consultation,
    CriterionAssessment,
    GovernmentDecision,
    ScreeningFlag,
    ScreeningRun,
)
from ..models import PermitApplication
from . import examples
from .serializers import country_field
from .views import ApplicationMixin

NOTE_MAX = 8000
# Casework is done on submitted files, which have a reference number: the examples lead with it.
FILE_ID = OpenApiParameter(
    "id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The application's reference number (or its public identifier, a UUID).",
    examples=[examples.REFERENCE_EXAMPLE, examples.ID_EXAMPLE],
)
FLAG_ID = OpenApiParameter(
    "flag_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The screening flag's id."
)
CONSULTATION_ID = OpenApiParameter(
    "consultation_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The consultation's id."
)
CRITERION_CODE = OpenApiParameter(
    "code",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="A criterion of the file's framework: 1 to 8 (Common Position 2008/944/CFSP) "
    "or DU1 to DU4 (Regulation (EU) 2021/821).",
    examples=[OpenApiExample("Criterion 7", value="7")],
)
STAFF_ONLY = (
    " Staff only: anyone else gets 404, as on the pages; auditors read but never write (403)."
)


def _username(user) -> str | None:
    return user.username if user is not None else None


class StaffFileMixin(ApplicationMixin):
    def get_staff_application(self) -> PermitApplication:
        """The file, if the caller may read it and works for the unit; else 404."""
        application = self.get_application()
        if not rules.can_view_compliance(self.request.user):
            raise NotFound(_("No such application."))
        if self.request.method == "GET":
            # Staff reads of a file are logged as the case page's are; the path says which part.
            staff_read_log(self.request, application, ReadWhat.API)
        return application


# --- Serializers ------------------------------------------------------------------------------


class CaseNoteSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class CaseNotePayload(serializers.Serializer):
    text = serializers.CharField(
        allow_blank=True,
        max_length=NOTE_MAX,
        help_text="The note. Staff only: never shown to the applicant.",
    )


class ScreeningFlagSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=ScreeningFlag.Kind.choices, read_only=True)
    severity = serializers.ChoiceField(choices=ScreeningFlag.Severity.choices, read_only=True)
    key = serializers.CharField(read_only=True, help_text="The same finding keeps its key.")
    explanation = serializers.CharField(read_only=True)
    details = serializers.JSONField(read_only=True)
    open = serializers.BooleanField(source="is_open", read_only=True)
    cleared_at = serializers.DateTimeField(read_only=True, allow_null=True)
    cleared_by = serializers.SerializerMethodField()
    clearance_justification = serializers.CharField(read_only=True)

    def get_cleared_by(self, flag: ScreeningFlag) -> str | None:
        return _username(flag.cleared_by)


class ScreeningRunSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    occasion = serializers.ChoiceField(choices=ScreeningRun.Occasion.choices, read_only=True)
    screened_on = serializers.DateField(read_only=True)
    ran_at = serializers.DateTimeField(read_only=True)
    versions = serializers.JSONField(
        read_only=True, help_text="The reference lists' versions screened against."
    )
    flags = ScreeningFlagSerializer(many=True, read_only=True)


class JustificationPayload(serializers.Serializer):
    justification = serializers.CharField(
        allow_blank=True, max_length=4000, help_text="Why the finding does not stand in the way."
    )


class ConsultationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    counterpart = serializers.ChoiceField(choices=Consultation.Counterpart.choices, read_only=True)
    counterpart_country = serializers.CharField(read_only=True)
    subject = serializers.CharField(read_only=True)
    denial_notice = serializers.CharField(
        source="denial_notice.number",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The denial notice whose undercut consultation this is, if any.",
    )
    requested_on = serializers.DateField(read_only=True)
    due_on = serializers.DateField(read_only=True)
    open = serializers.BooleanField(source="is_open", read_only=True)
    answer = serializers.CharField(read_only=True)
    answered_on = serializers.DateField(read_only=True, allow_null=True)


class ConsultationOpenPayload(serializers.Serializer):
    counterpart = serializers.ChoiceField(choices=Consultation.Counterpart.choices)
    counterpart_country = country_field(
        required=False, allow_blank=True, help_text="For a Member State: its ISO code."
    )
    subject = serializers.CharField(
        allow_blank=True, max_length=NOTE_MAX, help_text="The question put to it."
    )
    due_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="When the answer is due; omitted: the configured period from today.",
    )


class ConsultationAnswerPayload(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True, max_length=NOTE_MAX)
    answered_on = serializers.DateField(
        required=False, allow_null=True, help_text="Omitted: today."
    )


class CriterionLineSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    assessment = serializers.ChoiceField(
        choices=CriterionAssessment.Assessment.choices,
        read_only=True,
        allow_null=True,
        help_text="null: not assessed yet.",
    )
    note = serializers.CharField(read_only=True)
    assessed_by = serializers.CharField(read_only=True, allow_null=True)
    assessed_at = serializers.DateTimeField(read_only=True, allow_null=True)


class WorksheetSerializer(serializers.Serializer):
    framework = serializers.CharField(read_only=True, help_text="cp2008 or du2021.")
    lines = CriterionLineSerializer(many=True, read_only=True)


class CriterionPayload(serializers.Serializer):
    assessment = serializers.ChoiceField(choices=CriterionAssessment.Assessment.choices)
    note = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=NOTE_MAX,
        help_text="Required when the criterion is a ground for refusal.",
    )


class GovernmentDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=GovernmentDecision.Outcome.choices, read_only=True)
    decided_on = serializers.DateField(read_only=True)
    reference = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    recorded_at = serializers.DateTimeField(read_only=True)


class GovernmentDecisionPayload(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=GovernmentDecision.Outcome.choices)
    decided_on = serializers.DateField(help_text="The date of the Government's decision.")
    reference = serializers.CharField(allow_blank=True, max_length=100)
    note = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=NOTE_MAX, help_text="Staff only."
    )


# --- Examples ---------------------------------------------------------------------------------

NOTE_EXAMPLE = {
    "id": 12,
    "text": "Called the consignee: the contract is signed.",
    "author": "casemanager",
    "created_at": "2026-03-04T10:12:00.000000+01:00",
}
FLAG_EXAMPLE = {
    "id": 41,
    "kind": "denial",
    "severity": "blocking",
    "key": "denial:DE-2025-0113",
    "explanation": "The consignee resembles the consignee of denial notice DE-2025-0113.",
    "details": {"notice": "DE-2025-0113", "score": 0.93},
    "open": True,
    "cleared_at": None,
    "cleared_by": None,
    "clearance_justification": "",
}
RUN_EXAMPLE = {
    "id": 9,
    "occasion": "manual",
    "screened_on": "2026-03-04",
    "ran_at": "2026-03-04T10:15:02.000000+01:00",
    "versions": {"embargoes": "2026-02", "sanctions": "2026-03-01"},
    "flags": [FLAG_EXAMPLE],
}
CONSULTATION_EXAMPLE = {
    "id": 5,
    "counterpart": "member_state",
    "counterpart_country": "DE",
    "subject": "Undercut consultation on denial notice DE-2025-0113",
    "denial_notice": "DE-2025-0113",
    "requested_on": "2026-03-04",
    "due_on": "2026-03-18",
    "open": True,
    "answer": "",
    "answered_on": None,
}
WORKSHEET_EXAMPLE = {
    "framework": "cp2008",
    "lines": [
        {
            "code": "7",
            "title": "Risk of diversion within the buyer country or re-export under "
            "undesirable conditions",
            "assessment": "weighed",
            "note": "End user is the armed forces; end-use certificate checked.",
            "assessed_by": "casemanager",
            "assessed_at": "2026-03-05T14:01:00.000000+01:00",
        }
    ],
}
GOVERNMENT_DECISION_EXAMPLE = {
    "outcome": "granted",
    "decided_on": "2026-04-10",
    "reference": "GOV-BXL-2026-0412",
    "note": "",
    "recorded_by": "head",
    "recorded_at": "2026-04-11T09:00:00.000000+02:00",
}


def _examples(request: dict, response) -> list[OpenApiExample]:
    return [
        OpenApiExample("Request", value=request, request_only=True),
        OpenApiExample("Response", value=response, response_only=True),
    ]


# --- Case notes -------------------------------------------------------------------------------


@extend_schema(tags=["casework"], parameters=[FILE_ID])
class CaseNoteListCreateView(StaffFileMixin, APIView):
    @extend_schema(
        operation_id="applications_notes_list",
        summary="The file's internal notes",
        description="Oldest first." + STAFF_ONLY,
        responses=CaseNoteSerializer(many=True),
        examples=[OpenApiExample("Notes", value=[NOTE_EXAMPLE], response_only=True)],
    )
    def get(self, request, id):
        application = self.get_staff_application()
        notes = selectors.case_notes(application=application, user=request.user).order_by("id")
        return Response(CaseNoteSerializer(notes, many=True).data)

    @extend_schema(
        operation_id="applications_notes_create",
        summary="Write an internal note on a submitted file",
        description="Case managers and the head of unit. Written to the history as a staff-only "
        "event." + STAFF_ONLY,
        request=CaseNotePayload,
        responses={201: CaseNoteSerializer},
        examples=_examples({"text": NOTE_EXAMPLE["text"]}, NOTE_EXAMPLE),
    )
    def post(self, request, id):
        application = self.get_staff_application()
        serializer = CaseNotePayload(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = assignment.case_note_add(
            application=application, actor=request.user, text=serializer.validated_data["text"]
        )
        return Response(CaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)


# --- Screening --------------------------------------------------------------------------------


def _latest_run(application: PermitApplication) -> ScreeningRun | None:
    return application.screenings.order_by("-ran_at", "-id").first()


@extend_schema(tags=["casework"], parameters=[FILE_ID])
class ScreeningView(StaffFileMixin, APIView):
    @extend_schema(
        operation_id="applications_screening_latest",
        summary="The file's latest compliance screening and its flags",
        description="404 when the file was never screened." + STAFF_ONLY,
        responses={200: ScreeningRunSerializer},
        examples=[OpenApiExample("A screening", value=RUN_EXAMPLE, response_only=True)],
    )
    def get(self, request, id):
        run = _latest_run(self.get_staff_application())
        if run is None:
            raise NotFound(_("This file has not been screened."))
        return Response(ScreeningRunSerializer(run).data)

    @extend_schema(
        operation_id="applications_screening_run",
        summary="Screen the file again now",
        description="The file's case manager or the head of unit: screens against the "
        "reference lists in force; a finding cleared before stays cleared." + STAFF_ONLY,
        request=None,
        responses={201: ScreeningRunSerializer},
        examples=[OpenApiExample("A screening", value=RUN_EXAMPLE, response_only=True)],
    )
    def post(self, request, id):
        application = self.get_staff_application()
        if not rules.can_screen(application, request.user):
            # The page refuses with the same words; the action itself is also run by the system.
            raise TransitionForbidden(
                _("Only the file's case manager or the head of unit can screen it."),
                transition="screening",
            )
        run = screening.application_screen(
            application=application, occasion=ScreeningRun.Occasion.MANUAL, actor=request.user
        )
        return Response(ScreeningRunSerializer(run).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["casework"], parameters=[FILE_ID, FLAG_ID])
class ScreeningFlagClearView(StaffFileMixin, APIView):
    @extend_schema(
        operation_id="applications_screening_flag_clear",
        summary="Clear a screening flag, with a justification",
        description="The file's case manager. The same finding stays cleared in later "
        "screenings; clearing a cleared flag changes nothing." + STAFF_ONLY,
        request=JustificationPayload,
        responses={200: ScreeningFlagSerializer},
        examples=_examples(
            {"justification": "Different company: other address and registration number."},
            {
                **FLAG_EXAMPLE,
                "open": False,
                "cleared_at": "2026-03-04T11:00:00.000000+01:00",
                "cleared_by": "casemanager",
                "clearance_justification": "Different company: other address and "
                "registration number.",
            },
        ),
    )
    def post(self, request, id, flag_id):
        application = self.get_staff_application()
        flag = get_object_or_404(ScreeningFlag, pk=flag_id, application=application)
        serializer = JustificationPayload(data=request.data)
        serializer.is_valid(raise_exception=True)
        flag = screening.screening_flag_clear(
            flag=flag, actor=request.user, justification=serializer.validated_data["justification"]
        )
        return Response(ScreeningFlagSerializer(flag).data)


# --- Consultations ----------------------------------------------------------------------------


@extend_schema(tags=["casework"], parameters=[FILE_ID])
class ConsultationListOpenView(StaffFileMixin, APIView):
    @extend_schema(
        operation_id="applications_consultations_list",
        summary="The consultations of other authorities on the file",
        description=STAFF_ONLY.strip(),
        responses=ConsultationSerializer(many=True),
        examples=[
            OpenApiExample("Consultations", value=[CONSULTATION_EXAMPLE], response_only=True)
        ],
    )
    def get(self, request, id):
        application = self.get_staff_application()
        found = application.consultations.select_related("denial_notice").order_by(
            "requested_on", "id"
        )
        return Response(ConsultationSerializer(found, many=True).data)

    @extend_schema(
        operation_id="applications_consultations_open",
        summary="Consult another authority",
        description="The file's case manager, while it is reviewed or awaits the decision: the "
        "decision clock stands still and the file cannot be granted until the answer is "
        "recorded." + STAFF_ONLY,
        request=ConsultationOpenPayload,
        responses={201: ConsultationSerializer},
        examples=_examples(
            {
                "counterpart": "federal",
                "subject": "Does the end user hold a valid import authorisation?",
            },
            {
                **CONSULTATION_EXAMPLE,
                "counterpart": "federal",
                "counterpart_country": "",
                "denial_notice": None,
                "subject": "Does the end user hold a valid import authorisation?",
            },
        ),
    )
    def post(self, request, id):
        application = self.get_staff_application()
        serializer = ConsultationOpenPayload(data=request.data)
        serializer.is_valid(raise_exception=True)
        consultation = consultations.consultation_open(
            application=application, actor=request.user, **serializer.validated_data
        )
        return Response(ConsultationSerializer(consultation).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["casework"], parameters=[FILE_ID, CONSULTATION_ID])
class ConsultationAnswerView(StaffFileMixin, APIView):
    @extend_schema(
        operation_id="applications_consultations_answer",
        summary="Record a consultation's answer",
        description="The file's case manager: the decision clock runs again." + STAFF_ONLY,
        request=ConsultationAnswerPayload,
        responses={200: ConsultationSerializer},
        examples=_examples(
            {"answer": "No objection from the notifying State.", "answered_on": "2026-03-12"},
            {
                **CONSULTATION_EXAMPLE,
                "open": False,
                "answer": "No objection from the notifying State.",
                "answered_on": "2026-03-12",
            },
        ),
    )
    def post(self, request, id, consultation_id):
        application = self.get_staff_application()
        consultation = get_object_or_404(Consultation, pk=consultation_id, application=application)
        serializer = ConsultationAnswerPayload(data=request.data)
        serializer.is_valid(raise_exception=True)
        consultation = consultations.consultation_record_answer(
            consultation=consultation, actor=request.user, **serializer.validated_data
        )
        return Response(ConsultationSerializer(consultation).data)


# --- Criteria worksheet -----------------------------------------------------------------------


def _worksheet(application: PermitApplication) -> dict:
    framework = rules.criteria_framework(application)
    assessed = {
        line.code: line for line in application.criteria_worksheet.select_related("assessed_by")
    }
    lines = []
    for code, title in CRITERIA[framework].items():
        line = assessed.get(code)
        lines.append(
            {
                "code": code,
                "title": str(title),
                "assessment": line.assessment if line else None,
                "note": line.note if line else "",
                "assessed_by": _username(line.assessed_by) if line else None,
                "assessed_at": line.assessed_at if line else None,
            }
        )
    return {"framework": framework, "lines": lines}


@extend_schema(tags=["casework"], parameters=[FILE_ID])
class WorksheetView(StaffFileMixin, APIView):
    @extend_schema(
        operation_id="applications_criteria_worksheet",
        summary="The criteria worksheet of the file",
        description="Every criterion of the file's framework, assessed or not." + STAFF_ONLY,
        responses={200: WorksheetSerializer},
        examples=[OpenApiExample("A worksheet", value=WORKSHEET_EXAMPLE, response_only=True)],
    )
    def get(self, request, id):
        return Response(WorksheetSerializer(_worksheet(self.get_staff_application())).data)


@extend_schema(tags=["casework"], parameters=[FILE_ID, CRITERION_CODE])
class CriterionAssessView(StaffFileMixin, APIView):
    @extend_schema(
        operation_id="applications_criteria_assess",
        summary="Assess one criterion of the worksheet",
        description="The assigned case manager while the file is reviewed, the head of unit "
        "while it awaits the decision. Assessing a criterion again replaces its line. A "
        "criterion outside the file's framework is 404." + STAFF_ONLY,
        request=CriterionPayload,
        responses={200: CriterionLineSerializer},
        examples=_examples(
            {"assessment": "weighed", "note": WORKSHEET_EXAMPLE["lines"][0]["note"]},
            WORKSHEET_EXAMPLE["lines"][0],
        ),
    )
    def post(self, request, id, code):
        application = self.get_staff_application()
        if code not in CRITERIA[rules.criteria_framework(application)]:
            raise NotFound(_("No such criterion for this file."))
        serializer = CriterionPayload(data=request.data)
        serializer.is_valid(raise_exception=True)
        criteria.criterion_assess(
            application=application, actor=request.user, code=code, **serializer.validated_data
        )
        application.refresh_from_db()
        line = next(line for line in _worksheet(application)["lines"] if line["code"] == code)
        return Response(CriterionLineSerializer(line).data)


# --- The Government's decision ----------------------------------------------------------------


@extend_schema(tags=["casework"], parameters=[FILE_ID])
class GovernmentDecisionView(StaffFileMixin, APIView):
    @property
    def decides(self) -> bool:
        """Recording the Government's decision needs a second factor; reading it does not."""
        return self.request.method == "POST"

    @extend_schema(
        operation_id="applications_government_decision_get",
        summary="The Government's decision recorded on the file",
        description="404 when none is recorded." + STAFF_ONLY,
        responses={200: GovernmentDecisionSerializer},
        examples=[OpenApiExample("Granted", value=GOVERNMENT_DECISION_EXAMPLE, response_only=True)],
    )
    def get(self, request, id):
        application = self.get_staff_application()
        decision = GovernmentDecision.objects.filter(application=application).first()
        if decision is None:
            raise NotFound(_("No Government decision is recorded on this file."))
        return Response(GovernmentDecisionSerializer(decision).data)

    @extend_schema(
        operation_id="applications_government_decision_record",
        summary="Record the Brussels Government's decision",
        description="Head of unit, on a file the Government decides (e.g. military exports) "
        "that awaits the decision; recorded once. The head then approves or refuses as the "
        "Government decided." + STAFF_ONLY,
        request=GovernmentDecisionPayload,
        responses={201: GovernmentDecisionSerializer},
        examples=_examples(
            {"outcome": "granted", "decided_on": "2026-04-10", "reference": "GOV-BXL-2026-0412"},
            GOVERNMENT_DECISION_EXAMPLE,
        ),
    )
    def post(self, request, id):
        application = self.get_staff_application()
        serializer = GovernmentDecisionPayload(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = decide.government_decision_record(
            application=application, actor=request.user, **serializer.validated_data
        )
        return Response(GovernmentDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
