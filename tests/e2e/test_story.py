"""The whole story of a licence, through the browser, one person per browser context.

An applicant drafts and submits an export application with two goods items and an end-user
certificate; a case manager requests information; the applicant answers; the case manager
proposes to grant; the head of unit approves; the applicant downloads the licence PDF. Every
main screen is photographed and checked with axe-core.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from permits.models import PermitApplication
from tests.e2e.conftest import PASSWORD, reference_in
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, small_pdf
from tests.workflow_helpers import advance

# Without Playwright (a developer machine), the module is skipped, saying so.
expect = pytest.importorskip(
    "playwright.sync_api", reason="needs Playwright (pip install -e '.[dev]')"
).expect


def person(username: str, role: str, first: str, last: str):
    return UserFactory(
        username=username, roles=[role], first_name=first, last_name=last, password=PASSWORD
    )


@pytest.fixture
def cast(site):
    applicant = person("amelie", "applicant", "Amélie", "Vandersmissen")
    organisation = OrganisationFactory(
        legal_name="Optronique Bruxelloise SA",
        address="Rue de la Loi 42\n1040 Etterbeek",
        members=[applicant],
    )
    return {
        "applicant": applicant,
        "organisation": organisation,
        "case_manager": person("chloe", "case_manager", "Chloé", "Lambrechts"),
        "head": person("helene", "head_of_unit", "Hélène", "Dubois-Claes"),
        "auditor": person("olivier", "auditor", "Olivier", "Marchal"),
    }


def pdf_file(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": small_pdf(text)}


def test_from_draft_to_downloaded_licence(cast, open_session):
    # --- The applicant drafts the application, step by step ---------------------------------
    amelie = open_session("amelie")
    page = amelie.page
    expect(page.get_by_role("heading", name="My applications")).to_be_visible()
    expect(page.get_by_text("You have no applications yet.")).to_be_visible()
    amelie.shoot("01-applicant-empty-list")

    page.get_by_role("link", name="New application").first.click()
    amelie.shoot("02-draft-step-1-kind-and-regime")
    page.get_by_label("Kind").select_option("export")
    page.get_by_label("Regime").select_option("military")
    page.get_by_label("Country of origin").select_option("BE")
    page.get_by_label("Country of destination").select_option("NO")
    page.get_by_label("End-use statement").fill(
        "Royal Norwegian Air Force, surveillance of the northern border."
    )
    page.get_by_label("Intended validity (months)").fill("12")
    page.get_by_label("Total value (EUR)").fill("-5")
    page.get_by_role("button", name="Save and continue").click()
    # Field-level error, nothing lost.
    expect(page.locator("#id_total_value_error")).to_be_visible()
    expect(page.get_by_label("End-use statement")).to_have_value(re.compile("Royal Norwegian"))
    amelie.shoot("03-draft-field-errors")
    page.get_by_label("Total value (EUR)").fill("180000")
    page.get_by_role("button", name="Save and continue").click()

    # Parties
    expect(page.get_by_role("heading", name=re.compile("Step 2 of 5"))).to_be_visible()
    draft = PermitApplication.objects.get()
    assert draft.status == "draft" and draft.country_of_destination == "NO"
    for role, name, address in [
        ("consignee", "Forsvarsmateriell", "Postboks 800, 2617 Lillehammer"),
        ("end_user", "Royal Norwegian Air Force", "Postboks 800 Postmottak, 2617 Lillehammer"),
    ]:
        page.get_by_label("Role").select_option(role)
        page.get_by_label("Name").fill(name)
        page.get_by_label("Address").fill(address)
        page.get_by_label("Country").select_option("NO")
        page.get_by_role("button", name="Add the party").click()
        expect(page.get_by_role("cell", name=re.compile(name)).first).to_be_visible()
    amelie.shoot("04-draft-parties")
    page.get_by_role("link", name="Continue").click()

    # Goods: a wrong entry is refused with its reason, then two good items.
    expect(page.get_by_role("heading", name=re.compile("Step 3 of 5"))).to_be_visible()
    items = [
        ("Thermal imaging camera cores", "ML15.b", "40", "2500"),
        ("Laser range-finder modules", "ML5.b", "20", "4000"),
    ]
    description, _entry, quantity, unit_value = items[0]
    page.get_by_label("Description").fill(description)
    page.get_by_label("Control-list entry").fill("ML99")
    page.get_by_label("Quantity").fill(quantity)
    page.get_by_label("Unit value").fill(unit_value)
    page.get_by_role("button", name="Add the goods item").click()
    expect(page.locator("#id_control_entry_error")).to_contain_text("ML99")
    for description, entry, quantity, unit_value in items:
        page.get_by_label("Description").fill(description)
        page.get_by_label("Control-list entry").fill(entry)
        expect(page.locator("#entry-title")).not_to_be_empty()  # the lookup names the entry
        page.get_by_label("Quantity").fill(quantity)
        page.get_by_label("Unit value").fill(unit_value)
        page.get_by_role("button", name="Add the goods item").click()
        expect(page.get_by_role("cell", name=description, exact=True)).to_be_visible()
    amelie.shoot("05-draft-goods")
    page.get_by_role("link", name="Continue").click()

    # Documents: the end-user certificate.
    expect(page.get_by_text("Required for this kind of application")).to_be_visible()
    page.get_by_label("Kind of document").select_option("end_user_certificate")
    page.get_by_label("File").set_input_files(pdf_file("euc-norway.pdf", "End-user certificate"))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("link", name="euc-norway.pdf")).to_be_visible()
    amelie.shoot("06-draft-documents")
    page.get_by_role("link", name="Continue").click()

    # Review and submit.
    expect(page.get_by_text("Everything required is there.")).to_be_visible()
    amelie.shoot("07-draft-review")
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_text("Your reference number is")).to_be_visible()
    reference = reference_in(page.locator(".messages").inner_text())
    assert draft.goods.count() == 2
    amelie.shoot("08-applicant-submitted")

    # --- The case manager takes the file and asks for information ------------------------------
    chloe = open_session("chloe")
    cm = chloe.page
    expect(cm.get_by_role("heading", name="Workbench")).to_be_visible()
    chloe.shoot("09-workbench-unassigned")
    cm.get_by_role("link", name=reference).click()
    expect(cm.get_by_role("heading", name="Screening results")).to_be_visible()
    cm.get_by_role("button", name="Start review").click()
    expect(cm.get_by_text("The application is now Under review")).to_be_visible()
    chloe.shoot("10-case-page-under-review")
    cm.get_by_label("What must the applicant provide?").fill(
        "Please send the signed delivery verification commitment."
    )
    cm.get_by_role("button", name="Request information").click()
    expect(cm.get_by_text("The application is now Information requested")).to_be_visible()
    cm.goto("/applications/queue/?queue=waiting")
    expect(cm.get_by_role("link", name=reference)).to_be_visible()
    chloe.shoot("11-workbench-waiting")

    # --- The applicant answers, with a document --------------------------------------------------
    page.goto("/applications/")
    expect(page.get_by_text("Answer the information request.")).to_be_visible()
    amelie.shoot("12-applicant-list-action-needed")
    page.get_by_role("link", name=reference).click()
    expect(page.locator(".callout")).to_contain_text("signed delivery verification commitment")
    amelie.shoot("13-applicant-information-request")
    page.get_by_label("Your reply").fill("The signed commitment is attached.")
    page.get_by_label("Documents (optional)").set_input_files(
        pdf_file("delivery-verification.pdf", "Delivery verification commitment")
    )
    page.get_by_role("button", name="Provide information").click()
    expect(page.get_by_text("The application is now Under review")).to_be_visible()
    expect(page.get_by_role("link", name="delivery-verification.pdf")).to_be_visible()

    # --- The case manager proposes to grant -----------------------------------------------------
    cm.goto("/applications/queue/?queue=mine")
    cm.get_by_role("link", name=reference).click()
    # A military grant needs every criterion of the Common Position assessed.
    for code in "12345678":
        row = cm.locator(f'tr[data-criterion="{code}"]')
        row.get_by_label("Assessment").select_option("not_engaged")
        row.get_by_role("button", name="Save").click()
        expect(cm.locator(f'tr[data-criterion="{code}"] .badge')).to_be_visible()
    cm.get_by_label("Recommendation").select_option("grant")
    cm.get_by_label("Reasons").fill("End user and end use verified; no screening findings.")
    cm.get_by_role("button", name="Propose decision").click()
    expect(cm.get_by_text("The application is now Pending approval")).to_be_visible()

    # --- The head of unit approves ----------------------------------------------------------------
    helene = open_session("helene")
    head = helene.page
    expect(head.get_by_role("heading", name="Files pending approval")).to_be_visible()
    expect(head.get_by_text("You may decide")).to_be_visible()
    helene.shoot("14-approvals")
    head.get_by_role("link", name=reference).click()
    expect(head.locator(".recommendation")).to_contain_text("End user and end use verified")
    helene.shoot("15-case-page-pending-approval")
    # Military exports are decided by the Brussels Government: its decision is recorded first.
    head.get_by_label("Government's decision", exact=True).select_option("granted")
    head.get_by_label("Date of the Government's decision").fill(date.today().isoformat())
    head.get_by_label("Reference of the Government's decision").fill("GOV-BXL-2026-0042")
    head.get_by_role("button", name="Record the Government's decision").click()
    expect(head.get_by_text("The Government's decision is recorded.")).to_be_visible()
    head.get_by_role("button", name="Approve").click()
    expect(head.get_by_text("The application is now Issued")).to_be_visible()
    expect(head.get_by_role("link", name="Download the licence (PDF)")).to_be_visible()

    # --- The applicant downloads the licence ------------------------------------------------------
    page.goto("/applications/")
    page.get_by_role("link", name=reference).click()
    download_link = page.get_by_role("link", name="Download the licence (PDF)")
    expect(download_link).to_be_visible()
    expect(page.get_by_text("End user and end use verified")).to_have_count(0)  # internal
    amelie.shoot("16-applicant-licence")
    with page.expect_download() as download:
        download_link.click()
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    # --- The auditor reads everything and can change nothing --------------------------------------
    olivier = open_session("olivier")
    audit = olivier.page
    expect(audit.get_by_role("heading", name="Search applications and decisions")).to_be_visible()
    audit.get_by_label("Reference, organisation or party").fill("Norwegian Air")
    audit.get_by_role("button", name="Apply filters").click()
    expect(audit.get_by_role("link", name=reference)).to_be_visible()
    olivier.shoot("17-auditor-search")
    audit.get_by_role("link", name=reference).click()
    expect(audit.get_by_text("Nothing for you to do on this file right now.")).to_be_visible()
    expect(audit.locator("form[action*='/transitions/']")).to_have_count(0)
    expect(audit.locator(".timeline")).to_contain_text("Approved")
    expect(audit.locator(".timeline")).to_contain_text("Information requested")
    olivier.shoot("18-auditor-case-page")

    # The same page on a phone-sized screen, in French.
    phone = open_session("amelie", width=375)
    phone.page.get_by_label("Language").select_option("fr")
    phone.page.get_by_role("button", name="Change", exact=True).click()
    expect(phone.page.get_by_role("heading", name="Mes demandes")).to_be_visible()
    phone.shoot("19-applicant-list-narrow-fr")


def test_four_eyes_and_other_organisations(cast, open_session):
    """A head of unit who reviewed a file gets no decision button and the server refuses the
    approval; another organisation's applicant gets a 404 for the file."""
    dual = UserFactory(username="dries", roles=["head_of_unit", "case_manager"], password=PASSWORD)
    application = advance(
        ApplicationFactory(organisation=cast["organisation"], created_by=cast["applicant"]),
        "pending_approval",
        applicant=cast["applicant"],
        case_manager=dual,
        head=None,
    )
    url = f"/applications/{application.reference}/"

    dries = open_session("dries")
    page = dries.page
    page.goto(url)
    expect(
        page.get_by_text("you reviewed this file, so you cannot approve or refuse it")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_role("button", name="Refuse")).to_have_count(0)
    dries.shoot("20-four-eyes-case-page")
    # Posting the approval anyway: the server refuses it.
    page.evaluate(
        """(action) => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = action;
            const token = document.querySelector('input[name=csrfmiddlewaretoken]').cloneNode();
            form.appendChild(token);
            document.body.appendChild(form);
            form.submit();
        }""",
        f"{url}transitions/approve/",
    )
    expect(page.locator(".messages")).to_contain_text("Four-eyes rule: you reviewed this file")
    application.refresh_from_db()
    assert application.status == "pending_approval"
    page.goto("/applications/approvals/")
    expect(page.get_by_text("You reviewed it: another head decides")).to_be_visible()

    stranger = UserFactory(username="bram", roles=["applicant"], password=PASSWORD)
    OrganisationFactory(legal_name="Brussels Secure Systems BV", members=[stranger])
    bram = open_session("bram")
    response = bram.page.goto(url)
    assert response.status == 404
    expect(bram.page.get_by_role("heading", name="Page not found")).to_be_visible()
    bram.shoot("21-not-found-other-organisation")
