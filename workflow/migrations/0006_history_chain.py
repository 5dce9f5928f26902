"""The history's hash chain (workflow/chain.py): every existing record is chained in the order
it was written, file by file, with the key in force. The hand-written append-only trigger of
0003 is dropped here; the next migration declares it with django-pgtrigger."""

import django.utils.timezone
from django.db import migrations, models

from workflow import chain

DROP_OLD_TRIGGER = """
DROP TRIGGER IF EXISTS workflow_transitionrecord_append_only ON workflow_transitionrecord;
DROP FUNCTION IF EXISTS workflow_history_append_only();
"""
CREATE_OLD_TRIGGER = """
CREATE OR REPLACE FUNCTION workflow_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'workflow_transitionrecord is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER workflow_transitionrecord_append_only
    BEFORE UPDATE OR DELETE ON workflow_transitionrecord
    FOR EACH ROW EXECUTE FUNCTION workflow_history_append_only();
"""


def drop_old_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_OLD_TRIGGER, params=None)


def create_old_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_OLD_TRIGGER, params=None)


def chain_existing_records(apps, schema_editor):
    TransitionRecord = apps.get_model("workflow", "TransitionRecord")
    key_id = chain.current_key_id()
    rows = TransitionRecord.objects.order_by("application_id", "created_at", "id").values(
        "id",
        "application_id",
        "transition",
        "source_state",
        "target_state",
        "actor_id",
        "actor_role",
        "created_at",
        "comment",
        "payload",
    )
    application_id, seq, prev = None, 0, chain.GENESIS
    for row in rows.iterator(chunk_size=2000):
        if row["application_id"] != application_id:
            application_id, seq, prev = row["application_id"], 0, chain.GENESIS
        seq += 1
        fields = {
            **row,
            "seq": seq,
            "prev_hash": prev,
            "snapshot_hash": "",
            "versions": {},
            "chain_key": key_id,
        }
        prev = chain.record_hash(fields)
        TransitionRecord.objects.filter(pk=row["id"]).update(
            seq=seq, prev_hash=fields["prev_hash"], record_hash=prev, chain_key=key_id
        )


class Migration(migrations.Migration):
    dependencies = [("workflow", "0005_move_apitoken_to_accounts")]

    operations = [
        migrations.RunPython(drop_old_trigger, create_old_trigger),
        migrations.AlterField(
            model_name="transitionrecord",
            name="created_at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="time"
            ),
        ),
        migrations.AddField(
            model_name="transitionrecord",
            name="seq",
            field=models.PositiveIntegerField(
                null=True, verbose_name="position in the file's history"
            ),
        ),
        migrations.AddField(
            model_name="transitionrecord",
            name="prev_hash",
            field=models.CharField(
                default="", max_length=64, verbose_name="previous record's hash"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="transitionrecord",
            name="record_hash",
            field=models.CharField(default="", max_length=64, verbose_name="record hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="transitionrecord",
            name="chain_key",
            field=models.CharField(default="", max_length=32, verbose_name="chain key"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="transitionrecord",
            name="snapshot",
            field=models.JSONField(blank=True, null=True, verbose_name="snapshot of the file"),
        ),
        migrations.AddField(
            model_name="transitionrecord",
            name="snapshot_hash",
            field=models.CharField(blank=True, max_length=64, verbose_name="snapshot hash"),
        ),
        migrations.AddField(
            model_name="transitionrecord",
            name="versions",
            field=models.JSONField(blank=True, default=dict, verbose_name="versions in force"),
        ),
        migrations.RunPython(chain_existing_records, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="transitionrecord",
            name="seq",
            field=models.PositiveIntegerField(verbose_name="position in the file's history"),
        ),
        migrations.AddConstraint(
            model_name="transitionrecord",
            constraint=models.UniqueConstraint(
                fields=("application", "seq"), name="one_record_per_position"
            ),
        ),
    ]
