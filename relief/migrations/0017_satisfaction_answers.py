"""Satisfaction answers (domain.md §11): one 1–5 score and an optional comment per application
and moment (after the decision, after the waiver), the comment kept masked for reports too."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('relief', '0016_ops_edit_articles'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SatisfactionAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('moment', models.CharField(choices=[('decision', 'After the decision'), ('fulfilment', 'After the waiver')], max_length=16, verbose_name='moment')),
                ('outcome', models.CharField(choices=[('approved', 'Approved'), ('rejected', 'Rejected'), ('fulfilled', 'Fulfilled')], max_length=16, verbose_name='outcome')),
                ('score', models.PositiveSmallIntegerField(verbose_name='score')),
                ('comment', models.TextField(blank=True, verbose_name='comment')),
                ('comment_masked', models.TextField(blank=True, verbose_name='comment (masked)')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='answered at')),
                ('answered_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='satisfaction_answers', to='relief.reliefapplication')),
            ],
            options={
                'verbose_name': 'satisfaction answer',
                'verbose_name_plural': 'satisfaction answers',
                'ordering': ['-created_at', '-id'],
                'constraints': [models.UniqueConstraint(fields=('application', 'moment'), name='one_satisfaction_answer_per_moment'), models.CheckConstraint(condition=models.Q(('score__gte', 1), ('score__lte', 5)), name='satisfaction_score_1_to_5')],
            },
        ),
    ]
