"""A borrower may ask for no early-warning outreach (domain.md §10): `outreach_opt_out`,
False for everyone until she says otherwise on /settings/ or through the API."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('loans', '0007_search_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='borrower',
            name='outreach_opt_out',
            field=models.BooleanField(db_default=False, default=False, help_text='The borrower asked not to be contacted before her installments fall due.', verbose_name='no reminders before due dates'),
        ),
    ]
