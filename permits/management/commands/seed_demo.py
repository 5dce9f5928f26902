"""Demo data: one user per role, two applicant organisations, a dozen applications in every state.

Every state is reached through the real actions, so the history is genuine. Running the
command again changes nothing.
"""

from __future__ import annotations

import io
from base64 import b32encode
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from reportlab.pdfgen import canvas

from documents.models import Document
from permits import actions, rules
from permits.actions import criterion_assess
from permits.actions.documents import document_upload
from permits.compliance.criteria import CRITERIA
from permits.decisions.signing import create_self_signed_p12
from permits.models import ApplicantOrganisation, Licence, PermitApplication

DEMO_PASSWORD = "permits-demo"
# The demo head's authenticator key (hex): RFC 6238's test key, published like the password.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"

USERS = [
    # username, first name, last name, roles
    ("applicant", "Amélie", "Vandersmissen", ["applicant"]),
    ("applicant2", "Bram", "De Wolf", ["applicant"]),
    ("casemanager", "Chloé", "Lambrechts", ["case_manager"]),
    ("casemanager2", "Dries", "Peeters", ["case_manager"]),
    ("head", "Hélène", "Dubois-Claes", ["head_of_unit"]),
    ("auditor", "Olivier", "Marchal", ["auditor"]),
    # The customs administration's system account (customs interface of the API only).
    ("customs", "Douane", "Customs system", ["customs"]),
]

ORGANISATIONS = [
    # legal name, enterprise number, address, language, member
    (
        "Optronique Bruxelloise SA",
        "0400.000.185",
        "Avenue Louise 54\n1050 Ixelles",
        "fr",
        "applicant",
    ),
    (
        "Brussels Secure Systems BV",
        "0400.000.284",
        "Havenlaan 86\n1000 Brussel",
        "nl",
        "applicant2",
    ),
]

# (organisation index, kind, regime, destination, end use, goods, target state)
APPLICATIONS = [
    (
        0,
        "export",
        "military",
        "NO",
        "Norwegian Armed Forces, training",
        [("Thermal imaging sights", "ML15.a", 12, "18500.00")],
        "draft",
    ),
    (
        1,
        "export",
        "dual_use",
        "CH",
        "Research laboratory, ETH Zürich",
        [("Encryption modules", "5A002.a", 40, "950.00")],
        "draft",
    ),
    (
        0,
        "export",
        "military",
        "CA",
        "Canadian Armed Forces",
        [
            ("Night-vision goggles", "ML15.a", 30, "6200.00"),
            ("Spare batteries", "ML15.e", 300, "45.00"),
        ],
        "submitted",
    ),
    (
        1,
        "transit",
        "military",
        "AU",
        "Australian Defence Force",
        [("Armoured vehicle spare parts", "ML6.b", 200, "1200.00")],
        "under_review",
    ),
    (
        0,
        "export",
        "civil_firearms",
        "US",
        "Sport shooting club, Texas",
        [("Competition pistols", "ML1.a", 15, "2400.00")],
        "information_requested",
    ),
    (
        1,
        "import",
        "law_enforcement",
        "",
        "Brussels police training centre",
        [("Riot-control shields", "ML13.c", 100, "320.00")],
        "pending_approval",
    ),
    (
        0,
        "export",
        "dual_use",
        "IN",
        "Telecom operator, Mumbai",
        [("Network encryption appliances", "5A002.a", 8, "14000.00")],
        "pending_approval_refuse",
    ),
    (
        1,
        "export",
        "military",
        "NO",
        "Royal Norwegian Navy",
        [
            ("Naval radar components", "ML5.b", 6, "87000.00"),
            # Typed twice by the applicant: the proposal refuses the duplicate (a partial grant).
            ("Naval radar components", "ML5.b", 6, "87000.00"),
        ],
        "issued",
    ),
    (
        0,
        "export",
        "military",
        "BY",
        "Undisclosed government agency",
        [("Sniper rifles", "ML1.a", 20, "8000.00")],
        "refused",
    ),
    (
        1,
        "transfer",
        "military",
        "FR",
        "Direction générale de l'armement",
        [("Training simulators", "ML14", 2, "150000.00")],
        "withdrawn",
    ),
    (
        0,
        "export",
        "military",
        "JP",
        "Japan Self-Defense Forces",
        [("Ballistic helmets", "ML13.c", 500, "700.00")],
        "revoked",
    ),
    (
        1,
        "export",
        "dual_use",
        "KR",
        "Semiconductor plant, Seoul",
        [("Vacuum pumps", "2B350.i", 4, "23000.00")],
        "expired",
    ),
]


def _demo_pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 760, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class Command(BaseCommand):
    help = (
        "Create demo users (password: permits-demo), organisations and applications in every state."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--not-a-demo-site-i-know",
            dest="force",
            action="store_true",
            help="Run even with DEBUG off (tests, staging). Never on the production site: the "
            "demo accounts have a published password.",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password: it only runs with "
                "DEBUG on (the development settings)."
            )
        self._signing_certificate()
        users = self._users()
        self._demo_authenticator(users["head"])
        if ApplicantOrganisation.objects.filter(enterprise_number="0400000185").exists():
            self.stdout.write("Demo data already present: nothing to do.")
            return
        organisations = self._organisations(users)
        for row in APPLICATIONS:
            with transaction.atomic():
                self._application(users, organisations, *row)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data created: {len(USERS)} users (password {DEMO_PASSWORD!r}), "
                f"{len(organisations)} organisations, "
                f"{PermitApplication.objects.count()} applications."
            )
        )

    def _demo_authenticator(self, head):
        """The demo head's authenticator (TOTP) with a published key, for trying the second
        factor: `make run` leaves it off (config/settings/dev.py); README "Sign-in"."""
        device = TOTPDevice.objects.filter(user=head, name="demo").first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=head, name="demo", key=DEMO_TOTP_KEY, confirmed=True
            )
        self.stdout.write(
            f"Demo head's authenticator key (second factor, off unless "
            f"OTP_REQUIRED_FOR_DECISIONS=true): {b32encode(device.bin_key).decode()}\n"
            f"  provisioning URI: {device.config_url}"
        )

    def _signing_certificate(self):
        path = Path(settings.DECISION_SIGNING_P12) if settings.DECISION_SIGNING_P12 else None
        if path is None or path.exists() or not settings.DEBUG:
            return
        create_self_signed_p12(
            path,
            settings.DECISION_SIGNING_PASSWORD,
            common_name="Brussels International Permits (DEMO — not a real signature)",
        )
        self.stdout.write(f"Demo signing certificate created: {path}")

    def _assess_every_criterion(self, application, cm):
        """A military or dual-use grant needs every criterion of the worksheet assessed."""
        for code in CRITERIA[rules.criteria_framework(application)]:
            criterion_assess(
                application=application,
                actor=cm,
                code=code,
                assessment="not_engaged",
                note="",
            )

    def _users(self):
        User = get_user_model()
        users = {}
        for username, first, last, roles in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.test",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                # The head of unit edits the standard conditions in the admin.
                user.is_staff = "head_of_unit" in roles
                user.save()
            for role in roles:
                user.groups.add(Group.objects.get_or_create(name=role)[0])
            users[username] = user
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        return users

    def _organisations(self, users):
        organisations = []
        for name, number, address, language, member in ORGANISATIONS:
            organisation = ApplicantOrganisation(
                legal_name=name,
                enterprise_number=number,
                address=address,
                language=language,
                federal_authorisation_reference=f"SPF-JUS-AUT-{number[-3:]}",
                federal_authorisation_valid_until=date.today() + timedelta(days=730),
                # Belgian EORI numbers are BE followed by the enterprise number's ten digits.
                eori_number=f"BE{number.replace('.', '')}",
            )
            organisation.full_clean()
            organisation.save()
            # The demo's applicant administers its organisation (members, invitations).
            organisation.members.add(users[member], through_defaults={"administrator": True})
            organisations.append(organisation)
        return organisations

    def _application(
        self, users, organisations, org_index, kind, regime, destination, end_use, goods, target
    ):
        organisation = organisations[org_index]
        applicant = organisation.members.get()
        cm, head = users["casemanager"], users["head"]
        # The declared value is in euro, and every demo goods line is priced in euro.
        total = sum(Decimal(q) * Decimal(v) for _, _, q, v in goods)
        application = actions.application_create_draft(
            organisation=organisation,
            actor=applicant,
            kind=kind,
            regime=regime,
            country_of_origin="BE" if kind != "import" else "DE",
            country_of_destination=destination or "BE",
            end_use_statement=end_use,
            requested_validity_months=12,
            total_value=total,
        )
        for description, entry, quantity, unit_value in goods:
            actions.goods_item_add(
                application=application,
                actor=applicant,
                description=description,
                control_entry=entry,
                quantity=quantity,
                unit_value=Decimal(unit_value),
            )
        actions.party_add(
            application=application,
            actor=applicant,
            role="consignee",
            name=f"{end_use.split(',')[0]} (procurement)",
            address="Central depot",
            country=destination or "BE",
        )
        actions.party_add(
            application=application,
            actor=applicant,
            role="end_user",
            name=end_use.split(",")[0],
            address="Headquarters",
            country=destination or "BE",
        )
        for kind in rules.missing_required_documents(application):
            document_upload(
                application=application,
                actor=applicant,
                kind=kind,
                uploaded_file=SimpleUploadedFile(
                    f"{kind}.pdf",
                    _demo_pdf(f"{Document.Kind(kind).label} — {end_use} (demo document)"),
                    content_type="application/pdf",
                ),
            )
        if target == "draft":
            return
        application = actions.application_submit(application=application, actor=applicant)
        if target == "withdrawn":
            actions.application_withdraw(
                application=application, actor=applicant, reason="Order cancelled by the customer."
            )
            return
        if target == "submitted":
            return
        application = actions.application_start_review(application=application, actor=cm)
        if target == "under_review":
            return
        application = actions.application_request_information(
            application=application,
            actor=cm,
            message="Please upload the signed end-user certificate.",
        )
        if target == "information_requested":
            return
        application = actions.application_provide_information(
            application=application, actor=applicant, reply="The signed certificate is attached."
        )
        if target == "pending_approval_refuse" or target == "refused":
            criterion_assess(
                application=application,
                actor=cm,
                code="DU3" if regime == "dual_use" else "7",
                assessment="refusal_ground",
                note="The end user could not be verified; risk of diversion.",
            )
            application = actions.application_propose_decision(
                application=application,
                actor=cm,
                recommendation="refuse",
                reasons="The end user cannot be verified.",
                grounds="Criterion 1 (EU arms embargo) and criterion 7 (risk of diversion).",
            )
        else:
            self._assess_every_criterion(application, cm)
            goods = list(application.goods.all())
            duplicate = goods[1:] if target == "issued" else []
            application = actions.application_propose_decision(
                application=application,
                actor=cm,
                recommendation="grant",
                reasons="End user verified; no criterion of the Common Position is engaged.",
                grounds="The second goods line repeats the first: the quantity needed is six."
                if duplicate
                else "",
                lines=[
                    {"goods_item": item.pk, "outcome": "refuse", "criteria": ["7"]}
                    for item in duplicate
                ],
            )
        if target.startswith("pending_approval"):
            return
        if rules.decision_authority(application) == "government":
            actions.government_decision_record(
                application=application,
                actor=head,
                outcome="refused" if target == "refused" else "granted",
                decided_on=date.today(),
                reference=f"GOV-BXL-{date.today().year}-{application.pk:04d}",
            )
        if target == "refused":
            actions.application_refuse(
                application=application,
                actor=head,
                grounds="Criterion 1: the destination is under an EU arms embargo.",
            )
            return
        application = actions.application_approve(application=application, actor=head)
        if target == "revoked":
            actions.application_revoke(
                application=application, actor=head, reason="The end-use condition was breached."
            )
        elif target == "expired":
            licence = Licence.objects.get(application=application)
            # Backdate the demo licence so that the sweep genuinely finds it ended.
            Licence.objects.filter(pk=licence.pk).update(
                valid_from=licence.valid_from - timedelta(days=400),
                valid_until=licence.valid_from - timedelta(days=35),
            )
            actions.application_expire(application=application)
