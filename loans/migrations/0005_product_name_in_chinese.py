"""Product names per language: a Chinese name beside the English one, filled in for the
seeded products (api.md, "Seeded loan products") where none is given yet."""

from django.db import migrations, models

# The seeded products' Chinese names (loans.demo.PRODUCTS has the same).
CHINESE_NAMES = {"CASH18": "现金贷 18%", "CARD24": "信用卡分期 24%"}


def fill_chinese_names(apps, schema_editor):
    LoanProduct = apps.get_model("loans", "LoanProduct")
    for code, name in CHINESE_NAMES.items():
        LoanProduct.objects.filter(code=code, name_zh_hans="").update(name_zh_hans=name)


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0004_servicing_permission"),
    ]

    operations = [
        migrations.AddField(
            model_name="loanproduct",
            name="name_zh_hans",
            field=models.CharField(
                blank=True,
                help_text="Shown to readers of Chinese; the English name when empty.",
                max_length=100,
                verbose_name="name (Chinese)",
            ),
        ),
        migrations.AlterField(
            model_name="loanproduct",
            name="name",
            field=models.CharField(max_length=100, verbose_name="name (English)"),
        ),
        migrations.RunPython(fill_chinese_names, migrations.RunPython.noop),
    ]
