# API tokens moved to the accounts app. Only Django's state forgets the model here: the table
# workflow_apitoken and its rows stay, and accounts.0001 takes them over under the same name.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0004_apitoken"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApiToken")],
            database_operations=[],
        ),
    ]
