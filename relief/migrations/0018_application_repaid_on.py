"""When the installments due at a decision were repaid (ReliefApplication.repaid_on), and
its back-fill for the cases decided so far: one set-based UPDATE, the rule of
relief.services.outcomes written against this migration's models."""

from django.db import migrations, models
from django.db.models import (
    Case,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone


def back_fill(apps, schema_editor):
    ReliefApplication = apps.get_model("relief", "ReliefApplication")
    Installment = apps.get_model("loans", "Installment")
    zone = timezone.get_default_timezone()
    # The outer row's decision time, typed for TruncDate.
    decided_at = ExpressionWrapper(OuterRef("decided_at"), output_field=DateTimeField())
    decision_date = TruncDate(decided_at, tzinfo=zone)
    due = Installment.objects.filter(loan=OuterRef("loan"), due_date__lte=decision_date).order_by()
    last_paid_off = due.values("loan").annotate(last=Max("paid_off_on")).values("last")
    ReliefApplication.objects.using(schema_editor.connection.alias).filter(
        decided_at__isnull=False
    ).update(
        repaid_on=Case(
            When(Exists(due.filter(paid_off_on__isnull=True)), then=Value(None)),
            default=Coalesce(Subquery(last_paid_off), TruncDate("decided_at", tzinfo=zone)),
            output_field=DateField(),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0007_search_indexes"),
        ("relief", "0017_satisfaction_answers"),
    ]

    operations = [
        migrations.AddField(
            model_name="reliefapplication",
            name="repaid_on",
            field=models.DateField(
                blank=True, null=True, verbose_name="installments due at the decision repaid on"
            ),
        ),
        migrations.RunPython(back_fill, migrations.RunPython.noop, elidable=True),
    ]
