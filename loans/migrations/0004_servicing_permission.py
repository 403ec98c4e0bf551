"""The permission of the lender's core system: "post servicing data" (loans and repayments
through the servicing API). relief's roles migration gives it to the Servicing group."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0003_exact_penalty_rate_day_count_basis"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="loan",
            options={
                "ordering": ["id"],
                "permissions": [
                    (
                        "post_servicing_data",
                        "Can post loan data and repayments from the core system",
                    )
                ],
                "verbose_name": "loan",
                "verbose_name_plural": "loans",
            },
        ),
    ]
