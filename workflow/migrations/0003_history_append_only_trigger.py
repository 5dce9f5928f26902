"""On PostgreSQL the database itself refuses UPDATE and DELETE on the transition history, so the
rule holds even for raw SQL and other clients, not only through the ORM."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION workflow_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'workflow_transitionrecord is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER workflow_transitionrecord_append_only
    BEFORE UPDATE OR DELETE ON workflow_transitionrecord
    FOR EACH ROW EXECUTE FUNCTION workflow_history_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS workflow_transitionrecord_append_only ON workflow_transitionrecord;
DROP FUNCTION IF EXISTS workflow_history_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("workflow", "0002_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
