"""The intake form's one-time key (issue 12 item 3): an intake posted after its session expired
is kept as a draft once, however often the same post is replayed. A partial unique index: only
the incidents that have a key are in it; adding the nullable column rewrites no row."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_access_administration'),
        ('incidents', '0006_encrypt_point_and_perpetrators'),
        ('keys', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='incident',
            name='intake_key',
            field=models.UUIDField(blank=True, editable=False, null=True, verbose_name='intake key'),
        ),
        migrations.AddConstraint(
            model_name='incident',
            constraint=models.UniqueConstraint(condition=models.Q(('intake_key__isnull', False)), fields=('reported_by', 'intake_key'), name='incident_intake_key_unique'),
        ),
    ]
