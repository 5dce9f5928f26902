"""Annual reports (issue 13): the figures of a seeded year equal counts made independently
here, partial decisions and refusals citing several criteria included, decisions of another
year left out; the PDF's text carries the totals in French and in Dutch; the CSV's columns;
who may read the reports."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from permits import actions
from permits.compliance.models import ReferenceList
from permits.compliance.reference import reference_list_load
from permits.models import Decision, ExchangeRate, Licence
from permits.money import format_money
from permits.reports.build import annual_report
from permits.reports.csv_rendering import coarm_columns
from permits.reports.figures import (
    coarm_report,
    dual_use_report,
    parliament_report,
    percentile_90,
    region_of,
)
from tests.factories import ApplicationFactory, GoodsItemFactory, PartyFactory
from tests.workflow_helpers import advance, assess_all_criteria, record_government_decision

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
YEAR = 2025


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def new_file(organisation, applicant, *, goods, **fields):
    application = ApplicationFactory(
        organisation=organisation, created_by=applicant, complete=False, **fields
    )
    items = [GoodsItemFactory(application=application, **item) for item in goods]
    PartyFactory(application=application, role="consignee")
    PartyFactory(application=application, role="end_user")
    return application, items


def grant(application, people, lines=None):
    if application.status == "draft":
        application = advance(application, "under_review", **people)
    application = assess_all_criteria(application, people["case_manager"])
    actions.application_propose_decision(
        application=application,
        actor=people["case_manager"],
        recommendation="grant",
        reasons="In order.",
        grounds="Some lines are refused." if lines else "",
        lines=lines,
    )
    return actions.application_approve(
        application=record_government_decision(application, people["head"], "granted"),
        actor=people["head"],
    )


def refuse(application, people, codes):
    application = advance(application, "under_review", **people)
    for code in codes:
        actions.criterion_assess(
            application=application,
            actor=people["case_manager"],
            code=code,
            assessment="refusal_ground",
            note="Reported by the EU delegation.",
        )
    application = assess_all_criteria(application, people["case_manager"])
    actions.application_propose_decision(
        application=application,
        actor=people["case_manager"],
        recommendation="refuse",
        reasons="Clear risk.",
        grounds="Clear risk.",
    )
    return actions.application_refuse(
        application=record_government_decision(application, people["head"], "refused"),
        actor=people["head"],
        grounds="Criteria 2 and 4: clear risk.",
    )


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


@pytest.fixture
def seeded(organisation, applicant, people):
    """A year of decisions, and some before and after it that must not count."""
    ExchangeRate.objects.create(
        currency="USD", rate_to_eur=Decimal("0.9"), valid_on=date(2024, 1, 1), source="test"
    )
    files = {}
    with time_machine.travel(at(2024, 6, 3, 10), tick=False):
        files["other_year"], _ = new_file(
            organisation,
            applicant,
            goods=[{"control_entry": "ML15.a"}],
            country_of_destination="NO",
        )
        grant(files["other_year"], people)
    with time_machine.travel(at(YEAR, 3, 10, 10), tick=False):
        files["full"], _ = new_file(
            organisation,
            applicant,
            goods=[{"control_entry": "ML15.a", "quantity": 10, "unit_value": Decimal("25000")}],
            country_of_destination="NO",
        )
        grant(files["full"], people)
    with time_machine.travel(at(YEAR, 5, 5, 10), tick=False):
        files["partial"], (cameras, rifles) = new_file(
            organisation,
            applicant,
            goods=[
                {
                    "control_entry": "ML15.b",
                    "quantity": 4,
                    "unit_value": Decimal("10000"),
                    "currency": "USD",
                },
                {"control_entry": "ML1.a", "quantity": 50, "unit_value": Decimal("2000")},
            ],
            country_of_destination="NO",
        )
        files["partial"] = advance(files["partial"], "under_review", **people)
    with time_machine.travel(at(YEAR, 5, 25, 10), tick=False):
        grant(
            files["partial"],
            people,
            lines=[
                {"goods_item": cameras.pk, "outcome": "reduce", "granted_quantity": Decimal("2")},
                {"goods_item": rifles.pk, "outcome": "refuse", "criteria": ["2", "7"]},
            ],
        )
    with time_machine.travel(at(YEAR, 9, 1, 10), tick=False):
        files["refused"], _ = new_file(
            organisation,
            applicant,
            goods=[{"control_entry": "ML4.a"}, {"control_entry": "ML4.b.1"}],
            country_of_destination="SA",
        )
        refuse(files["refused"], people, ["2", "4"])
        files["dual_use"], _ = new_file(
            organisation,
            applicant,
            goods=[{"control_entry": "5A002.a", "quantity": 1, "unit_value": Decimal("92000")}],
            regime="dual_use",
            licence_type="global",
            country_of_destination="CN",
        )
        grant(files["dual_use"], people)
        # Submitted on 1 September, decided on 1 November: 61 days, past the 42 days' deadline.
        files["import"], _ = new_file(
            organisation,
            applicant,
            goods=[{"control_entry": "ML15.a"}],
            kind="import",
            country_of_destination="BE",
            country_of_origin="US",
        )
        files["import"] = advance(files["import"], "under_review", **people)
        files["dual_use_refused"], _ = new_file(
            organisation,
            applicant,
            goods=[
                {
                    "control_entry": "3A001.a",
                    "quantity": 1,
                    "unit_value": Decimal("50000"),
                    "currency": "USD",
                }
            ],
            regime="dual_use",
            country_of_destination="CN",
        )
        refuse(files["dual_use_refused"], people, ["DU1", "DU3"])
    with time_machine.travel(at(YEAR, 11, 1, 10), tick=False):
        grant(files["import"], people)
    with time_machine.travel(at(YEAR, 12, 1, 10), tick=False):
        actions.application_revoke(
            application=files["full"], actor=people["head"], reason="End-use breach."
        )
    # Decided at 00:30 on 1 January in Brussels (still 31 December in UTC): next year's.
    with time_machine.travel(at(YEAR + 1, 1, 1, 0, 30), tick=False):
        files["next_year"], _ = new_file(
            organisation,
            applicant,
            goods=[{"control_entry": "ML15.a"}],
            country_of_destination="NO",
        )
        grant(files["next_year"], people)
    return files


def row(report, country, category):
    return next(r for r in report.rows if (r.country, r.category) == (country, category))


def test_the_coarm_figures_equal_independent_counts(seeded):
    report = coarm_report(year=YEAR)

    issued = Licence.objects.filter(
        issued_at__gte=at(YEAR, 1, 1),
        issued_at__lt=at(YEAR + 1, 1, 1),
        application__regime="military",
        application__kind__in=["export", "transit", "transfer"],
    )
    assert report.total.licences == issued.count()
    # Norway: the full grant and the partial one's cameras (2 of 4 × 10,000 USD at 0.9).
    assert (row(report, "NO", "ML15").licences, row(report, "NO", "ML15").value) == (
        2,
        Decimal("250000.00") + Decimal("18000.00"),
    )
    rifles = row(report, "NO", "ML1")
    assert (rifles.licences, rifles.refusals) == (0, 1)
    assert {code for code, n in rifles.criteria.items() if n} == {"2", "7"}
    # The refused file: one refusal in ML4, citing both criteria of the worksheet.
    saudi = row(report, "SA", "ML4")
    assert (saudi.licences, saudi.refusals, saudi.criteria["2"], saudi.criteria["4"]) == (
        0,
        1,
        1,
        1,
    )
    assert report.country_totals["NO"].licences == 2
    assert report.country_totals["NO"].refusals == 1
    assert report.total.licences == 2  # not the other years' files, nor the import
    assert report.total.refusals == 2
    assert report.total.value == Decimal("268000.00")
    assert report.total.criteria == {"1": 0, "2": 2, "3": 0, "4": 1, "5": 0, "6": 0, "7": 1, "8": 0}


def test_the_files_decided_in_another_year_are_counted_in_theirs(seeded):
    assert coarm_report(year=YEAR - 1).total.licences == 1
    assert coarm_report(year=YEAR + 1).total.licences == 1


def test_the_dual_use_figures_count_by_category_destination_and_type(seeded):
    report = dual_use_report(year=YEAR)
    rows = {(r.category, r.country): r for r in report.rows}

    assert set(rows) == {("5", "CN"), ("3", "CN")}
    granted = rows[("5", "CN")]
    assert granted.licences == {"individual": 0, "global": 1}
    assert granted.values["global"] == Decimal("92000.00")
    refused = rows[("3", "CN")]
    assert refused.refusals == {"individual": 1, "global": 0}
    assert refused.refused_value == Decimal("45000.00")  # 50,000 USD at 0.9
    assert refused.grounds == {"DU1": 1, "DU2": 0, "DU3": 1, "DU4": 0}
    [listed] = report.refusals
    assert (listed.reference, listed.entries, listed.grounds) == (
        seeded["dual_use_refused"].reference,
        ("3A001.a",),
        ("DU1", "DU3"),
    )


def test_the_parliament_summary_counts_kinds_regions_criteria_and_times(seeded):
    report = parliament_report(year=YEAR)
    cells = {(r.kind, r.regime, r.region): r for r in report.rows}

    europe = cells[("export", "military", "europe")]
    assert (europe.licences, europe.partial, europe.refusals) == (2, 1, 0)
    assert cells[("export", "military", "middle_east")].refusals == 1
    assert cells[("import", "military", "eu")].licences == 1
    asia = cells[("export", "dual_use", "asia")]
    assert (asia.licences, asia.refusals, asia.value) == (1, 1, Decimal("92000.00"))
    assert (report.total.licences, report.total.refusals) == (4, 2)
    assert report.criteria == {
        "military": {"2": 2, "4": 1, "7": 1},
        "dual_use": {"DU1": 1, "DU3": 1},
    }
    assert report.licence_events == {"military": {"revoked": 1, "suspended": 0}}


def test_the_decision_times_are_counted_against_the_statutory_deadline(seeded):
    timing = {(t.kind, t.regime): t for t in parliament_report(year=YEAR).timing}

    decided = Decision.objects.filter(
        decided_at__gte=at(YEAR, 1, 1), decided_at__lt=at(YEAR + 1, 1, 1)
    ).count()
    assert sum(t.decided for t in timing.values()) == decided == 6
    exports = timing[("export", "military")]
    # Submitted and decided the same day, except the partial grant (20 days).
    assert (exports.decided, exports.p90_days, exports.late) == (3, Decimal("16.0"), 0)
    imports = timing[("import", "military")]
    assert (imports.average_days, imports.statutory_days, imports.late) == (
        Decimal("61.0"),
        42,
        1,
    )


def test_a_line_without_an_exchange_rate_is_left_out_and_said(seeded, organisation, people):
    with time_machine.travel(at(YEAR, 10, 1, 10), tick=False):
        application, _ = new_file(
            organisation,
            people["applicant"],
            goods=[{"control_entry": "5A002.a", "currency": "GBP"}],
            regime="dual_use",
            country_of_destination="CN",
        )
        grant(application, people)

    report = dual_use_report(year=YEAR)
    made = annual_report(year=YEAR, kind="dual_use", fmt="csv", language="en", made_by="Test")

    assert report.lines_without_rate == 1
    assert report.total.licences["individual"] == 1
    assert report.total.values["individual"] == Decimal("0.00")
    assert "1 goods lines are in a currency without a recorded exchange rate" in (
        made.content.decode("utf-8-sig")
    )


def test_the_90th_percentile_interpolates_between_ranks():
    assert percentile_90(list(range(1, 11))) == Decimal("9.1")
    assert percentile_90([7]) == Decimal("7.0")


def test_regions_come_from_the_table_with_norway_not_read_as_false():
    assert [region_of(c) for c in ("NO", "BE", "SA", "TR", "CN", "US", "AU", "XX")] == [
        "europe",
        "eu",
        "middle_east",
        "europe",
        "asia",
        "americas",
        "oceania",
        "other",
    ]


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )


@pytest.mark.parametrize(
    ("language", "norway", "saudi", "total"),
    [
        ("fr", "Norvège", "Arabie Saoudite", "Total Norvège"),
        ("nl", "Noorwegen", "Saoedi-Arabië", "Totaal Noorwegen"),
    ],
)
def test_the_pdf_carries_the_country_and_category_totals_in_the_language(
    seeded, language, norway, saudi, total
):
    made = annual_report(year=YEAR, kind="coarm", fmt="pdf", language=language, made_by="Test")
    text = pdf_text(made.content)

    assert norway in text and saudi in text and total in text
    assert "ML15" in text and "ML1" in text and "ML4" in text
    # The year's total value, formatted for the language (spaces as pypdf extracts them).
    assert " ".join(format_money(Decimal("268000.00"), "EUR", language).split()) in text
    assert made.provenance.chain_head in text


def test_the_csv_has_the_coarm_columns_and_its_provenance(seeded):
    made = annual_report(year=YEAR, kind="coarm", fmt="csv", language="en", made_by="Auditor A")
    rows = list(csv.reader(io.StringIO(made.content.decode("utf-8-sig")), delimiter=";"))

    assert "Auditor A" in rows[1][0] and made.provenance.chain_head in rows[2][0]
    header_at = rows.index(coarm_columns())
    assert len(coarm_columns()) == 15
    body = rows[header_at + 1 :]
    assert body[[r[:3] for r in body].index(["NO", "Norway", "ML15"])][:3] == [
        "NO",
        "Norway",
        "ML15",
    ]
    assert body[-1][4:7] == ["2", "268000.00", "2"]


def test_the_command_writes_the_report_and_reports_progress(seeded, tmp_path, capsys):
    target = tmp_path / "parliament.pdf"
    call_command(
        "annual_report",
        "--year",
        str(YEAR),
        "--kind",
        "parliament",
        "--format",
        "pdf",
        "--language",
        "nl",
        "-o",
        str(target),
    )

    assert "Europese Unie" in pdf_text(target.read_bytes())
    assert "decision times" in capsys.readouterr().err


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


QUERY = {"year": YEAR, "kind": "coarm", "language": "fr", "fmt": "csv"}


def test_the_auditor_downloads_a_report(auditor):
    response = client_for(auditor).get(reverse("permits:annual_reports"), QUERY)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]


def test_the_page_offers_the_choice_to_the_head(head):
    response = client_for(head).get(reverse("permits:annual_reports"))

    assert response.status_code == 200
    assert b'name="kind"' in response.content


@pytest.mark.parametrize("role", ["applicant", "case_manager"])
def test_applicants_and_case_managers_are_refused(role, request):
    user = request.getfixturevalue(role)
    response = client_for(user).get(reverse("permits:annual_reports"), QUERY)

    assert response.status_code == 403
    assert "attachment" not in response.get("Content-Disposition", "")


def test_a_bad_choice_is_a_form_error_not_a_500(auditor):
    response = client_for(auditor).get(reverse("permits:annual_reports"), {**QUERY, "kind": "x"})

    assert response.status_code == 400


def test_the_category_titles_come_from_the_control_list_in_force_in_the_language(seeded):
    reference_list_load(kind=ReferenceList.Kind.CONTROL_LIST)

    made = annual_report(year=YEAR, kind="coarm", fmt="csv", language="nl", made_by="Test")

    text = made.content.decode("utf-8-sig")
    assert "Beeldvormings- of tegenmaatregel" in text  # ML15 in Dutch
    assert "Noorwegen" in text and "ML-categorie" in text


def test_the_menu_links_the_reports_for_auditors_only_among_readers(auditor, applicant):
    url = reverse("permits:annual_reports")

    assert url in client_for(auditor).get(reverse("permits:search")).content.decode()
    assert (
        url not in client_for(applicant).get(reverse("permits:application_list")).content.decode()
    )


@pytest.mark.parametrize(
    ("language", "title", "choice"),
    [
        ("fr", "Rapports annuels", "Rapport annuel au Parlement bruxellois"),
        ("nl", "Jaarverslagen", "Jaarverslag aan het Brussels Parlement"),
        ("en", "Annual reports", "Annual report to the Brussels Parliament"),
    ],
)
def test_the_page_is_in_the_reader_s_language(auditor, language, title, choice):
    client = client_for(auditor)
    client.post(reverse("set_language"), {"language": language})

    page = client.get(reverse("permits:annual_reports")).content.decode()

    assert f"<h1>{title}</h1>" in page
    assert choice in page


def test_the_figures_are_a_fixed_number_of_queries_whatever_the_files(
    seeded, django_assert_max_num_queries
):
    # Aggregates in the database and one read of the refusing decisions: no query per file.
    with django_assert_max_num_queries(5):
        coarm_report(year=YEAR)
    with django_assert_max_num_queries(7):
        parliament_report(year=YEAR)
