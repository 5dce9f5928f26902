"""A member's rights (draft, submit, see decisions) are enforced by the rules, so the actions,
the web pages and the API all refuse what a member was not given."""

from __future__ import annotations

import pytest

from permits import actions, rules
from permits.models import OrganisationMembership
from tests.api.conftest import client_for
from tests.factories import ApplicationFactory, UserFactory
from workflow.exceptions import TransitionForbidden
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(organisation):
    """A member who prepares drafts but neither submits them nor reads decisions."""
    user = UserFactory(username="clerk", roles=["applicant"])
    OrganisationMembership.objects.create(
        organisation=organisation, user=user, draft=True, submit=False, see_decisions=False
    )
    return user


def test_a_member_added_without_rights_named_keeps_drafting_submitting_and_reading(
    organisation, applicant
):
    membership = OrganisationMembership.objects.get(organisation=organisation, user=applicant)

    assert membership.rights == ["draft", "submit", "see_decisions"]


def test_a_member_without_submit_cannot_submit_through_the_action(organisation, clerk):
    draft = ApplicationFactory(organisation=organisation, created_by=clerk)

    with pytest.raises(TransitionForbidden):
        actions.application_submit(application=draft, actor=clerk)

    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.reference is None
    assert not TransitionRecord.objects.filter(application=draft).exists()


def test_a_member_without_submit_cannot_submit_through_the_api(organisation, clerk):
    draft = ApplicationFactory(organisation=organisation, created_by=clerk)

    response = client_for(clerk).post(
        f"/api/v1/applications/{draft.public_id}/transitions/submit/", {}, format="json"
    )

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_member_without_submit_sees_no_submit_on_the_review_step_and_cannot_post_it(
    client, organisation, clerk
):
    draft = ApplicationFactory(organisation=organisation, created_by=clerk)
    client.force_login(clerk)

    page = client.get(f"/applications/{draft.public_id}/edit/review/")
    assert b'id="no-submit-right"' in page.content
    client.post(f"/applications/{draft.public_id}/edit/review/")

    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_member_without_draft_cannot_create_or_edit_a_draft(organisation, applicant):
    reader = UserFactory(username="reader", roles=["applicant"])
    OrganisationMembership.objects.create(
        organisation=organisation, user=reader, draft=False, submit=False, see_decisions=True
    )
    draft = ApplicationFactory(organisation=organisation, created_by=applicant)

    with pytest.raises(TransitionForbidden):
        actions.application_create_draft(
            organisation=organisation, actor=reader, kind="export", regime="military"
        )
    with pytest.raises(TransitionForbidden):
        actions.application_update_draft(
            application=draft, actor=reader, end_use_statement="Changed"
        )
    assert not rules.can_create_application(reader)
    response = client_for(reader).post(
        "/api/v1/applications/", {"kind": "export", "regime": "military"}, format="json"
    )
    assert response.status_code == 403


def test_a_member_without_see_decisions_cannot_read_the_decision_or_the_licence_pdf(
    organisation, clerk, make_application
):
    issued = make_application("issued")
    api = client_for(clerk)

    for suffix in ("decision/", "decision/pdf/", "licence/pdf/"):
        response = api.get(f"/api/v1/applications/{issued.public_id}/{suffix}")
        assert response.status_code == 403, suffix
    # The file itself stays readable to the member.
    assert api.get(f"/api/v1/applications/{issued.public_id}/").status_code == 200


def test_a_member_without_see_decisions_finds_no_decision_on_the_case_page(
    client, organisation, clerk, make_application
):
    issued = make_application("issued")
    client.force_login(clerk)

    page = client.get(f"/applications/{issued.url_key}/")

    assert page.status_code == 200
    assert b'id="decision"' not in page.content
    assert client.get(f"/applications/{issued.url_key}/decision/").status_code == 403


def test_a_member_with_see_decisions_reads_the_decision(applicant, make_application):
    issued = make_application("issued")

    response = client_for(applicant).get(f"/api/v1/applications/{issued.public_id}/decision/")

    assert response.status_code == 200


def test_the_decision_e_mail_goes_only_to_members_who_read_decisions(
    organisation, clerk, applicant, case_manager, head, django_capture_on_commit_callbacks
):
    from outbox.models import OutboxMessage
    from tests.workflow_helpers import advance

    with django_capture_on_commit_callbacks(execute=True):
        advance(
            ApplicationFactory(organisation=organisation, created_by=applicant),
            "issued",
            applicant=applicant,
            case_manager=case_manager,
            head=head,
        )

    told = set(
        OutboxMessage.objects.filter(key__startswith="decision_ready:").values_list(
            "recipient", flat=True
        )
    )
    assert told == {applicant.email}
