from django.db import migrations, models

# Documents staff uploaded before the choice existed were shown to the applicant without anyone
# deciding so: from now on they are staff only, as every staff upload is unless shared.
STAFF_GROUPS = ("case_manager", "head_of_unit", "auditor")


def staff_documents_unshare(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    Document.objects.filter(
        uploaded_by__groups__name__in=STAFF_GROUPS, decision__isnull=True
    ).update(shared_with_applicant=False)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="shared_with_applicant",
            field=models.BooleanField(
                default=True,
                help_text="Unticked: staff only, the applicant never sees this document.",
                verbose_name="shared with the applicant",
            ),
        ),
        migrations.RunPython(staff_documents_unshare, migrations.RunPython.noop),
    ]
