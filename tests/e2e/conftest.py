"""Browser tests: Debian's headless Chromium driven by Playwright's Python API.

They skip, saying why, where Chromium, Playwright or axe-core is missing (a developer's
machine); ``.ci/run`` installs all three, so CI runs them. Screenshots of each main screen go
to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

CHROMIUM = Path("/usr/bin/chromium")
E2E_DIR = Path(__file__).resolve().parent
AXE = E2E_DIR / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts" / "screenshots"
PASSWORD = "e2e-password-1"
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return "needs Debian's chromium at /usr/bin/chromium (apt-get install chromium; CI has it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs Playwright's Python package (pip install -e '.[dev]'; CI has it)"
    if not AXE.exists():
        return "needs axe-core: npm ci --prefix tests/e2e (CI runs it)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing()
    for item in items:
        path = str(item.fspath).replace(os.sep, "/")
        if "tests/e2e/" not in path:
            continue
        # Under pytest-xdist (`--dist loadgroup`), a module's tests stay on one worker: one
        # Chromium per module, as the module-scoped `browser` fixture intends.
        item.add_marker(pytest.mark.xdist_group(f"e2e-{Path(path).stem}"))
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. Playwright's sync API runs an event loop in another
    greenlet of this thread, so Django would take the tests' own (synchronous) ORM calls for
    async ones: allowed here, and only while the browser runs."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(live_server, settings, transactional_db):
    """The live server with the project's static files and the reference lists loaded."""
    static = Path(settings.BASE_DIR) / "static"
    if static not in [Path(p) for p in settings.STATICFILES_DIRS]:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static]
    call_command("load_reference_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return live_server


class Session:
    """One person's browser tab: logs in, takes screenshots, checks accessibility."""

    def __init__(self, browser, base_url: str, username: str, *, width: int = 1280):
        self.context = browser.new_context(
            base_url=base_url,
            viewport={"width": width, "height": 900},
            locale="en-GB",
            timezone_id="Europe/Brussels",
            accept_downloads=True,
        )
        self.context.set_default_timeout(15_000)
        # Injected by the browser itself, not as a <script> of the page: the site's
        # Content-Security-Policy (no inline script) stays in force while axe-core runs.
        if AXE.exists():
            self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.username = username

    def login(self) -> Session:
        page = self.page
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(self.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("main").get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"{self.username} could not log in"
        return self

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def check_accessibility(self, name: str) -> None:
        """axe-core on the page as it is: no serious or critical violation (WCAG 2.1 AA)."""
        page = self.page
        results = page.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                'best-practice']},
                resultTypes: ['violations'],
            })"""
        )
        bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        report = [
            {
                "rule": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"][:5]],
            }
            for v in bad
        ]
        assert not bad, f"accessibility violations on {name}: {json.dumps(report, indent=1)}"

    def shoot(self, name: str) -> None:
        self.screenshot(name)
        self.check_accessibility(name)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_session(browser, site):
    sessions: list[Session] = []

    def open_(username: str, **kwargs) -> Session:
        session = Session(browser, site.url, username, **kwargs).login()
        sessions.append(session)
        return session

    yield open_
    for session in sessions:
        session.close()


def reference_in(text: str) -> str:
    match = re.search(r"BXL-[A-Z]{2}-[A-Z]{3}-\d{4}-\d{6}", text)
    assert match, f"no reference number in: {text[:300]}"
    return match.group(0)
