"""Every action a person can take on a permits page has its API endpoint: a new page action
without one fails here, so the API never falls behind the pages again."""

from __future__ import annotations

from django.urls import get_resolver

from permits import document_urls, organisation_urls
from permits import urls as page_urls

# Pages that only read (lists, the case page, history, reports, exports).
READ_ONLY_PAGES = {
    "application_list",
    "queue",
    "approvals",
    "search",
    "search_export",
    "annual_reports",
    "application_detail",
    "decision_status",
    "history_compare",
    "history_snapshot",
    "field_history",
    "licence",
    "download",
}

# Page action → the API route(s) doing the same through the same action.
PAGE_TO_API = {
    "application_create": ["api-applications"],
    "draft_edit": ["api-application"],
    "draft_step": [
        "api-application",
        "api-application-goods",
        "api-application-goods-item",
        "api-application-parties",
        "api-application-party",
        "api-application-documents",
    ],
    "upload": ["api-application-documents"],
    "application_transition": ["api-application-transitions"],
    "application_reassign": ["api-application-reassign"],
    "case_note_add": ["api-application-notes"],
    "licence_status": ["api-licence-suspend", "api-licence-reinstate"],
    "licence_follow_up": ["api-licence-follow-ups"],
    "screen_again": ["api-application-screening"],
    "flag_clear": ["api-application-flag-clear"],
    "consultation_open": ["api-application-consultations"],
    "consultation_answer": ["api-application-consultation-answer"],
    "criterion_assess": ["api-application-criterion"],
    "government_decision": ["api-application-government-decision"],
    "shipment_record": ["api-licence-usage-reports"],
    "goods_return": ["api-licence-usage-reports"],
    "application_copy": ["api-application-copy"],
}

# Page actions whose API counterpart lives outside permits' own routes (none today).
OWNED_ELSEWHERE: set[str] = set()


def _page_names() -> set[str]:
    return {p.name for p in [*page_urls.urlpatterns, *document_urls.urlpatterns] if p.name}


def test_every_page_is_classified():
    unknown = _page_names() - READ_ONLY_PAGES - PAGE_TO_API.keys() - OWNED_ELSEWHERE
    assert not unknown, f"Page actions without an API counterpart: {sorted(unknown)}"


def test_every_counterpart_exists_in_the_api():
    api_names = set(get_resolver().reverse_dict.keys())
    missing = {name for names in PAGE_TO_API.values() for name in names} - api_names
    assert not missing


# The company self-service pages (permits/organisation_urls.py) have their API counterparts too.
ORGANISATION_READ_ONLY_PAGES = {"list"}
# Accepting an invitation is the invitee's link from the e-mail, opened in a browser (and
# signed out, it creates the account): it has no API counterpart by design.
ORGANISATION_BROWSER_ONLY = {"invitation_accept"}
ORGANISATION_PAGE_TO_API = {
    "members": ["api-organisation-members", "api-organisation-invitations"],
    "member": ["api-organisation-member"],
    "invitation_withdraw": ["api-organisation-invitation"],
    "parties": ["api-organisation-parties", "api-organisation-party"],
    "products": ["api-organisation-products", "api-organisation-product"],
}


def test_every_organisation_page_is_classified():
    names = {p.name for p in organisation_urls.urlpatterns if p.name}
    unknown = (
        names
        - ORGANISATION_READ_ONLY_PAGES
        - ORGANISATION_BROWSER_ONLY
        - ORGANISATION_PAGE_TO_API.keys()
    )
    assert not unknown, f"Organisation page actions without an API counterpart: {sorted(unknown)}"


def test_every_organisation_counterpart_exists_in_the_api():
    api_names = set(get_resolver().reverse_dict.keys())
    wanted = {name for names in ORGANISATION_PAGE_TO_API.values() for name in names}
    assert not wanted - api_names
