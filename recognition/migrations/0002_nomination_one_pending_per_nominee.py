# One pending nomination per nominator, criterion and nominee: a named colleague, or (no colleague)
# the whole department. Two partial constraints, because NULLs are distinct in a unique constraint.
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("recognition", "0001_initial")]

    operations = [
        migrations.AddConstraint(
            model_name="nomination",
            constraint=models.UniqueConstraint(
                fields=["nominator", "criterion", "employee"],
                condition=Q(status="pending", employee__isnull=False),
                name="one_pending_nomination_of_a_colleague",
            ),
        ),
        migrations.AddConstraint(
            model_name="nomination",
            constraint=models.UniqueConstraint(
                fields=["nominator", "criterion", "department"],
                condition=Q(status="pending", employee__isnull=True),
                name="one_pending_nomination_of_a_department",
            ),
        ),
    ]
