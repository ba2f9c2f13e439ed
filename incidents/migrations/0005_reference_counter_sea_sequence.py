"""SEA incidents get their own reference sequence per office and year (issue 8 item 12).

Existing counter rows are the CRSV sequence (`sea` false); references already given keep
their numbers.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0004_drop_redundant_fk_indexes"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="incidentreferencecounter",
            name="referencecounter_office_year",
        ),
        migrations.AddField(
            model_name="incidentreferencecounter",
            name="sea",
            field=models.BooleanField(default=False),
        ),
        migrations.AddConstraint(
            model_name="incidentreferencecounter",
            constraint=models.UniqueConstraint(
                fields=("field_office", "year", "sea"), name="referencecounter_office_year_sea"
            ),
        ),
    ]
