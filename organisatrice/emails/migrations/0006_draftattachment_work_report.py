import django.db.models.deletion
from django.db import migrations, models


def work_reports_from_selections(apps, schema_editor):
    """Each draft's work report, from the selection that named it, where it still exists."""
    DraftAttachment = apps.get_model("emails", "DraftAttachment")
    WorkReport = apps.get_model("orders", "WorkReport")
    attachments = DraftAttachment.objects.filter(document_kind="work_report").only("selection")
    named = {a.pk: a.selection.get("work_report") for a in attachments if isinstance(a.selection, dict)}
    existing = set(
        WorkReport.objects.filter(pk__in=[pk for pk in named.values() if isinstance(pk, int)]).values_list(
            "pk", flat=True
        )
    )
    for attachment_id, report_id in named.items():
        if report_id in existing:
            DraftAttachment.objects.filter(pk=attachment_id).update(work_report_id=report_id)


class Migration(migrations.Migration):
    dependencies = [
        ("emails", "0005_outgoingemail_lease_token"),
        ("orders", "0005_orderreadytobill"),
    ]

    operations = [
        migrations.AddField(
            model_name="draftattachment",
            name="work_report",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="+",
                to="orders.workreport",
                verbose_name="rapport",
            ),
        ),
        migrations.RunPython(work_reports_from_selections, migrations.RunPython.noop),
    ]
