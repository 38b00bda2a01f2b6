from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from improvements.models import NoActionNote
from survey_portal.forms import PlainTextMixin


class NoActionForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = NoActionNote
        fields = ["reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 5})}
        labels = {"reason": _("No action, because …")}
        help_texts = {
            "reason": _(
                "Say why nothing will change, in words the people you serve understand: they read it on "
                "your charter page, next to the score."
            )
        }
