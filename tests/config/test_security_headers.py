"""Every HTML page a person can reach carries the Content-Security-Policy: a small crawler
follows the links each role sees, from the home page, and reads every page's headers."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlparse

import pytest
from django.test import Client

from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db

MAX_PAGES = 80
# Links a crawler must not follow: they change something (or sign out) when fetched.
SKIP = re.compile(r"^/(accounts/logout|i18n|admin/logout)")


def crawl(client: Client, *starts: str) -> dict[str, object]:
    seen: dict[str, object] = {}
    queue = deque(starts)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="([^"]+)"', response.content.decode()):
            link = urldefrag(href.replace("&amp;", "&"))[0]
            parsed = urlparse(link)
            if parsed.scheme or parsed.netloc or not link.startswith("/"):
                continue
            if link.startswith("/static/") or SKIP.match(link) or link in seen:
                continue
            queue.append(link)
    return seen


@pytest.fixture
def files(organisation, applicant, case_manager, head):
    people = {"applicant": applicant, "case_manager": case_manager, "head": head}
    for target in ("draft", "under_review", "pending_approval", "issued"):
        application = ApplicationFactory(organisation=organisation, created_by=applicant)
        if target != "draft":
            advance(application, target, **people)


@pytest.mark.parametrize("role", [None, "applicant", "case_manager", "head", "auditor"])
def test_every_page_the_crawler_reaches_carries_the_policy(files, role, request):
    client = Client()
    if role:
        client.force_login(request.getfixturevalue(role))

    # The public pages too: the directory and the verification page need no sign-in.
    pages = crawl(client, "/", "/verify/", "/directory/", "/api/v1/docs/")

    html = {
        url: response
        for url, response in pages.items()
        if response.status_code == 200 and "text/html" in response.get("Content-Type", "")
    }
    assert len(html) > 3
    missing = [url for url, response in html.items() if "Content-Security-Policy" not in response]
    assert missing == []
    strict = [
        url
        for url, response in html.items()
        if not url.startswith("/api/v1/")
        and "'unsafe-inline'" in response["Content-Security-Policy"]
    ]
    assert strict == []


def test_the_policy_forbids_inline_script_and_framing(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
