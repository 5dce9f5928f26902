"""The plain members many-to-many becomes a membership with rights, in the same table: every
member of before keeps every right, administering the organisation included."""

import django.db.models.deletion
import django_countries.fields
import permits.models
import permits.validators
from django.conf import settings
from django.db import migrations, models


def every_member_keeps_every_right(apps, schema_editor):
    membership = apps.get_model("permits", "OrganisationMembership")
    membership.objects.update(draft=True, submit=True, see_decisions=True, administrator=True)


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0018_customs_usage"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The table exists (Django made it for the many-to-many): declare it, change nothing.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OrganisationMembership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                db_column="applicantorganisation_id",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="permits.applicantorganisation",
                                verbose_name="applicant organisation",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="organisation_memberships",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "membership",
                        "verbose_name_plural": "memberships",
                        "db_table": "permits_applicantorganisation_members",
                        "ordering": ["organisation", "user__username"],
                        "unique_together": {("organisation", "user")},
                    },
                ),
                migrations.AlterField(
                    model_name="applicantorganisation",
                    name="members",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="applicant_organisations",
                        through="permits.OrganisationMembership",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="members",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="organisationmembership",
            name="draft",
            field=models.BooleanField(default=True, verbose_name="prepares drafts"),
        ),
        migrations.AddField(
            model_name="organisationmembership",
            name="submit",
            field=models.BooleanField(default=True, verbose_name="submits applications"),
        ),
        migrations.AddField(
            model_name="organisationmembership",
            name="see_decisions",
            field=models.BooleanField(default=True, verbose_name="reads decisions"),
        ),
        migrations.AddField(
            model_name="organisationmembership",
            name="administrator",
            field=models.BooleanField(default=False, verbose_name="administers the organisation"),
        ),
        migrations.RunPython(every_member_keeps_every_right, migrations.RunPython.noop),
        migrations.CreateModel(
            name="CatalogueProduct",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("description", models.CharField(max_length=500, verbose_name="description")),
                (
                    "control_entry",
                    models.CharField(
                        blank=True,
                        help_text="For example ML10.a or 5A002.a.",
                        max_length=40,
                        verbose_name="control-list entry",
                    ),
                ),
                (
                    "catch_all_ground",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("wmd", "Intended for weapons of mass destruction or their delivery"),
                            (
                                "military_embargo",
                                "Intended for a military end use in a country under an arms embargo",
                            ),
                            (
                                "cyber_surveillance",
                                "Cyber-surveillance item for internal repression or human-rights violations",
                            ),
                            ("national_measure", "National measure"),
                        ],
                        max_length=20,
                        verbose_name="catch-all ground",
                    ),
                ),
                (
                    "commodity_code",
                    models.CharField(
                        blank=True,
                        help_text="The eight digits of the Combined Nomenclature, e.g. 90131000.",
                        max_length=8,
                        validators=[permits.validators.validate_cn_code],
                        verbose_name="commodity code (CN)",
                    ),
                ),
                (
                    "regime",
                    models.CharField(
                        choices=[
                            ("military", "Military (EU Common Military List)"),
                            ("dual_use", "Dual-use (Regulation (EU) 2021/821)"),
                            ("civil_firearms", "Civilian firearms"),
                            ("law_enforcement", "Law-enforcement material"),
                        ],
                        help_text="The control list its entry belongs to.",
                        max_length=20,
                        verbose_name="regime",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="catalogue",
                        to="permits.applicantorganisation",
                        verbose_name="applicant organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "catalogue product",
                "verbose_name_plural": "catalogue products",
                "ordering": ["description", "id"],
            },
        ),
        migrations.CreateModel(
            name="OrganisationEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("event", models.CharField(max_length=40, verbose_name="event")),
                ("payload", models.JSONField(blank=True, default=dict, verbose_name="details")),
                ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="at")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="permits.applicantorganisation",
                        verbose_name="applicant organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "organisation event",
                "verbose_name_plural": "organisation events",
                "ordering": ["-at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="OrganisationInvitation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.EmailField(max_length=254, verbose_name="e-mail address")),
                (
                    "language",
                    models.CharField(
                        choices=[("fr", "French"), ("nl", "Dutch"), ("en", "English")],
                        max_length=2,
                        verbose_name="language",
                    ),
                ),
                ("draft", models.BooleanField(default=True, verbose_name="prepares drafts")),
                ("submit", models.BooleanField(default=False, verbose_name="submits applications")),
                (
                    "see_decisions",
                    models.BooleanField(default=False, verbose_name="reads decisions"),
                ),
                (
                    "administrator",
                    models.BooleanField(default=False, verbose_name="administers the organisation"),
                ),
                (
                    "nonce",
                    models.CharField(
                        default=permits.models.new_invitation_nonce, max_length=40, unique=True
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="sent")),
                ("expires_at", models.DateTimeField(verbose_name="expires")),
                (
                    "accepted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="accepted"),
                ),
                (
                    "accepted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="accepted by",
                    ),
                ),
                (
                    "invited_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="invited by",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="invitations",
                        to="permits.applicantorganisation",
                        verbose_name="applicant organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "invitation",
                "verbose_name_plural": "invitations",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="SavedParty",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("consignor", "Consignor"),
                            ("consignee", "Consignee"),
                            ("end_user", "End-user"),
                            ("intermediary", "Intermediary"),
                            ("agent", "Agent or representative"),
                        ],
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        max_length=200,
                        validators=[permits.validators.validate_no_bidi_controls],
                        verbose_name="name",
                    ),
                ),
                ("address", models.TextField(verbose_name="address")),
                (
                    "country",
                    django_countries.fields.CountryField(max_length=2, verbose_name="country"),
                ),
                (
                    "party_type",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("government", "Government or armed forces of the state"),
                            ("public_body", "Other public body"),
                            ("private_company", "Private company"),
                            ("individual", "Individual"),
                            ("international_organisation", "International organisation"),
                            ("non_state_armed_group", "Non-state armed group"),
                        ],
                        max_length=30,
                        verbose_name="type of party",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_parties",
                        to="permits.applicantorganisation",
                        verbose_name="applicant organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "saved party",
                "verbose_name_plural": "saved parties",
                "ordering": ["role", "name", "id"],
            },
        ),
    ]
