# The ready-to-bill list moved from the emails app to the orders app.

from django.db import migrations


def content_type_move(apps, schema_editor):
    # Its content type follows it, so that the permissions granted on the list stay granted.
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="orders", model="orderreadytobill").exists():
        ContentType.objects.filter(app_label="emails", model="orderreadytobill").update(app_label="orders")


def content_type_move_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="emails", model="orderreadytobill").exists():
        ContentType.objects.filter(app_label="orders", model="orderreadytobill").update(app_label="emails")


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0004_order_search_indexes'),
        ('emails', '0004_delete_orderreadytobill'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='OrderReadyToBill',
            fields=[
            ],
            options={
                'verbose_name': 'commande à facturer',
                'verbose_name_plural': 'commandes à facturer (rapport transmis)',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('orders.order',),
        ),
        migrations.RunPython(content_type_move, content_type_move_back),
    ]
