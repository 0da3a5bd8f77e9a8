from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tutor", "0007_attempt_steps_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="must_change_password",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="assignment",
            name="late_penalty_percent",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="assignment",
            name="max_tries",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="assignment",
            name="show_answer_after_due",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="answersubmission",
            name="late",
            field=models.BooleanField(default=False),
        ),
        migrations.AddConstraint(
            model_name="assignment",
            constraint=models.CheckConstraint(
                condition=models.Q(late_penalty_percent__lte=100),
                name="assignment_penalty_0_100",
            ),
        ),
        migrations.AddConstraint(
            model_name="assignment",
            constraint=models.CheckConstraint(
                condition=models.Q(max_tries__isnull=True) | models.Q(max_tries__gte=1),
                name="assignment_max_tries_positive",
            ),
        ),
    ]
