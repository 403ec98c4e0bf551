"""Education articles (domain.md §10): a title and Markdown text per language, the text
rendered and sanitized at save (learn/rendering.py), tags from a fixed list, reads counted."""

import django.db.models.deletion
from django.db import migrations, models

class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Article',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(max_length=80, unique=True, verbose_name='slug')),
                ('title_zh_hans', models.CharField(blank=True, max_length=200, verbose_name='title (Chinese)')),
                ('title_en', models.CharField(blank=True, max_length=200, verbose_name='title (English)')),
                ('summary_zh_hans', models.CharField(blank=True, help_text='One or two sentences shown in lists.', max_length=300, verbose_name='summary (Chinese)')),
                ('summary_en', models.CharField(blank=True, help_text='One or two sentences shown in lists.', max_length=300, verbose_name='summary (English)')),
                ('body_zh_hans', models.TextField(blank=True, help_text='Markdown. HTML typed here is removed.', verbose_name='text (Chinese)')),
                ('body_en', models.TextField(blank=True, help_text='Markdown. HTML typed here is removed.', verbose_name='text (English)')),
                ('body_html_zh_hans', models.TextField(blank=True, editable=False)),
                ('body_html_en', models.TextField(blank=True, editable=False)),
                ('position', models.PositiveSmallIntegerField(default=100, help_text='Lower comes first in lists.', verbose_name='position')),
                ('published', models.BooleanField(default=False, verbose_name='published')),
                ('reads', models.PositiveBigIntegerField(default=0, editable=False, verbose_name='reads')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
            ],
            options={
                'verbose_name': 'article',
                'verbose_name_plural': 'articles',
                'ordering': ['position', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('title_zh_hans', ''), _negated=True), models.Q(('title_en', ''), _negated=True), _connector='OR'), name='article_has_a_title')],
            },
        ),
        migrations.CreateModel(
            name='ArticleTag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tag', models.CharField(choices=[('penalty', 'Penalty'), ('credit_record', 'Credit record'), ('budgeting', 'Budgeting'), ('hardship_help', 'Hardship help'), ('arrangements', 'Deferral and plans'), ('debt_relief_scams', 'Debt-relief scams')], max_length=32, verbose_name='tag')),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tag_rows', to='learn.article')),
            ],
            options={
                'verbose_name': 'article tag',
                'verbose_name_plural': 'article tags',
                'indexes': [models.Index(fields=['tag', 'article'], name='articletag_by_tag')],
                'constraints': [models.UniqueConstraint(fields=('article', 'tag'), name='articletag_unique'), models.CheckConstraint(condition=models.Q(('tag__in', ['penalty', 'credit_record', 'budgeting', 'hardship_help', 'arrangements', 'debt_relief_scams'])), name='articletag_known')],
            },
        ),
    ]
