"""factory-boy factories shared by the whole suite."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from reportlab.pdfgen import canvas

from documents.models import Document
from permits.models import ApplicantOrganisation, GoodsItem, Party, PermitApplication
from permits.rules import missing_required_documents
from workflow.roles import Role


def _enterprise_number(n: int) -> str:
    """A KBO/BCE number with valid check digits: 97 - (first eight digits mod 97)."""
    first8 = f"0{4000000 + n:07d}"
    return f"{first8}{97 - int(first8) % 97:02d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("demo-password")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                self.groups.add(Group.objects.get_or_create(name=Role(role).value)[0])


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicantOrganisation
        skip_postgeneration_save = True

    legal_name = factory.Sequence(lambda n: f"Defence Systems {n} SA")
    enterprise_number = factory.Sequence(_enterprise_number)
    address = "Rue de la Loi 1\n1000 Bruxelles"
    country = "BE"
    language = "fr"
    federal_authorisation_reference = factory.Sequence(lambda n: f"SPF-JUS-AUT-{n:05d}")
    federal_authorisation_valid_until = factory.LazyFunction(
        lambda: date.today() + timedelta(days=365)
    )

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft that is complete enough to submit (goods and parties via ``complete``)."""

    class Meta:
        model = PermitApplication
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "export"
    regime = "military"
    licence_type = "individual"
    country_of_origin = "BE"
    country_of_destination = "NO"
    end_use_statement = "Armed forces of the Kingdom of Norway, for training use only."
    requested_validity_months = 12
    total_value = Decimal("250000.00")
    created_by = factory.SubFactory(UserFactory)
    updated_by = factory.SelfAttribute("created_by")

    @factory.post_generation
    def complete(self, create, extracted, **kwargs):
        if create and extracted is not False:
            GoodsItemFactory(application=self)
            PartyFactory(application=self, role="consignee")
            PartyFactory(application=self, role="end_user")

    @factory.post_generation
    def documents(self, create, extracted, **kwargs):
        """Attach the supporting documents submission requires (``documents=False``: none)."""
        if create and extracted is not False:
            for kind in missing_required_documents(self):
                DocumentFactory(application=self, kind=kind, uploaded_by=self.created_by)


def small_pdf(text: str = "End-user certificate") -> bytes:
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class DocumentFactory(factory.django.DjangoModelFactory):
    """A stored supporting document (test data: it bypasses the upload checks)."""

    class Meta:
        model = Document

    application = factory.SubFactory(ApplicationFactory, complete=False)
    kind = "end_user_certificate"
    file = factory.LazyFunction(lambda: ContentFile(small_pdf(), name="certificate.pdf"))
    original_name = "certificate.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda d: d.file.size)
    sha256 = factory.LazyAttribute(lambda d: hashlib.sha256(d.file.read()).hexdigest())
    uploaded_by = factory.SelfAttribute("application.created_by")


class GoodsItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoodsItem

    application = factory.SubFactory(ApplicationFactory, complete=False)
    description = "Thermal imaging sights"
    control_entry = "ML15.a"
    quantity = Decimal("10")
    unit = "pieces"
    unit_value = Decimal("25000.00")
    currency = "EUR"


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    application = factory.SubFactory(ApplicationFactory, complete=False)
    role = "consignee"
    name = factory.Faker("company")
    address = "Postboks 800, 0106 Oslo"
    country = "NO"
