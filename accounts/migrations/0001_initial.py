# ApiToken, moved here from the workflow app. The table already exists (workflow.0004 created
# it and workflow.0005 let go of the model without touching it): only Django's state learns of
# the model here, so no token is lost. The content type follows the model, so that permissions
# granted on tokens and admin log entries keep pointing at it.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def relabel_content_type(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=new, model="apitoken").exists():
        ContentType.objects.using(db).filter(app_label=old, model="apitoken").update(
            app_label=new
        )


def forwards(apps, schema_editor):
    relabel_content_type(apps, schema_editor, old="workflow", new="accounts")


def backwards(apps, schema_editor):
    relabel_content_type(apps, schema_editor, old="accounts", new="workflow")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflow", "0005_move_apitoken_to_accounts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiToken",
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
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        (
                            "prefix",
                            models.CharField(max_length=16, unique=True, verbose_name="prefix"),
                        ),
                        (
                            "key_hash",
                            models.CharField(max_length=64, verbose_name="SHA-256 of the token"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created"),
                        ),
                        (
                            "last_used_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="last used"),
                        ),
                        (
                            "revoked_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="revoked"),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="api_tokens",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "API token",
                        "verbose_name_plural": "API tokens",
                        "ordering": ["-created_at", "-id"],
                        "db_table": "workflow_apitoken",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
