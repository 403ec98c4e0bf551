"""Loans keep their penalty rate exactly and their own day-count basis (domain.md §2–§3).

- `Loan.penalty_rate` widens from 6 to 12 decimal places: annual rate × (1 + markup) of two
  6-place rates has at most 12, so the rate is stored whole. A loan whose stored rate is its
  product's exact rate rounded to 6 places gets the exact rate back, and the daily penalty
  of its unpaid installments is recomputed on it from now on (days already accrued keep
  what they were charged). A loan whose product's terms changed since it was made keeps its
  rate: the contract is fixed when the loan is made.
- `Loan.day_count_basis` is new, a contract term copied from the product from now on.
  Existing loans get 360: every figure on them so far was computed on 360, whatever the
  product said, so nothing already charged changes.
- `LoanProduct.day_count_basis` is limited to 360 and 365; any other value (never used by
  the calculations) becomes 360, the basis actually applied.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations, models

DAY_COUNT_BASES = [360, 365]
# Half a unit in the 6th place: a stored rate this close to the exact one was rounded from it.
ROUNDING_TOLERANCE = Decimal("0.0000005")
CENT = Decimal("0.01")
BATCH = 1000


def products_basis_as_applied(apps, schema_editor):
    LoanProduct = apps.get_model("loans", "LoanProduct")
    LoanProduct.objects.exclude(day_count_basis__in=DAY_COUNT_BASES).update(day_count_basis=360)


def exact_rate(product) -> Decimal:
    # Frozen copy of loans.calculations.penalty_rate as it stands at this migration.
    return min(product.annual_rate * (1 + product.penalty_markup), product.penalty_rate_cap)


def loans_exact_penalty_rate(apps, schema_editor):
    Loan = apps.get_model("loans", "Loan")
    LoanProduct = apps.get_model("loans", "LoanProduct")
    Installment = apps.get_model("loans", "Installment")
    products = {product.pk: product for product in LoanProduct.objects.all()}
    loan_ids_by_rate: dict[Decimal, list[int]] = {}
    rows = Loan.objects.values_list("pk", "product_id", "annual_rate", "penalty_rate")
    for loan_id, product_id, annual_rate, stored in rows.iterator(chunk_size=5000):
        product = products[product_id]
        if annual_rate != product.annual_rate:
            continue
        exact = exact_rate(product)
        if exact != stored and abs(exact - stored) <= ROUNDING_TOLERANCE:
            loan_ids_by_rate.setdefault(exact, []).append(loan_id)

    for rate, loan_ids in loan_ids_by_rate.items():
        for start in range(0, len(loan_ids), BATCH):
            batch = loan_ids[start : start + BATCH]
            Loan.objects.filter(pk__in=batch).update(penalty_rate=rate)
            unpaid = list(Installment.objects.filter(loan_id__in=batch, paid_off_on__isnull=True))
            for installment in unpaid:
                base = (installment.principal_due - installment.principal_paid) + (
                    installment.interest_due - installment.interest_paid
                )
                # Every existing loan counts on 360 (see above).
                installment.daily_penalty = (
                    (base * rate / 360).quantize(CENT, rounding=ROUND_HALF_UP)
                    if base > 0
                    else Decimal("0.00")
                )
            Installment.objects.bulk_update(unpaid, ["daily_penalty"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0002_installment_fillfactor"),
    ]

    operations = [
        migrations.AddField(
            model_name="loan",
            name="day_count_basis",
            field=models.PositiveSmallIntegerField(
                choices=[(360, "Actual/360"), (365, "Actual/365")],
                db_default=360,
                default=360,
                verbose_name="day-count basis",
            ),
        ),
        migrations.AlterField(
            model_name="loan",
            name="penalty_rate",
            field=models.DecimalField(
                decimal_places=12, max_digits=14, verbose_name="penalty rate"
            ),
        ),
        migrations.AlterField(
            model_name="loanproduct",
            name="day_count_basis",
            field=models.PositiveSmallIntegerField(
                choices=[(360, "Actual/360"), (365, "Actual/365")],
                default=360,
                verbose_name="day-count basis",
            ),
        ),
        migrations.RunPython(products_basis_as_applied, migrations.RunPython.noop),
        migrations.RunPython(loans_exact_penalty_rate, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="loan",
            constraint=models.CheckConstraint(
                condition=models.Q(("day_count_basis__in", [360, 365])),
                name="loan_day_count_basis_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="loanproduct",
            constraint=models.CheckConstraint(
                condition=models.Q(("day_count_basis__in", [360, 365])),
                name="loanproduct_day_count_basis_known",
            ),
        ),
    ]
