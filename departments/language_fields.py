"""Form fields for charter content in German (departments/translation.py).

A form's own text fields ("name", "description") always edit the English text, whatever the
page's language (modeltranslation would otherwise write the active language's column); a German
field follows each, optional: left blank, pages show the English text.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.forms.utils import pretty_name
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .languages import ENGLISH, GERMAN


def german_label(label) -> str:
    return _("%(label)s (German)") % {"label": capfirst(label)}


# Typed as the ModelForm it is mixed into.
_Base = forms.ModelForm if TYPE_CHECKING else object


class GermanTextsMixin(_Base):  # type: ignore[misc,valid-type]
    """For a ModelForm of a translated model: `german_texts` are edited in English, each with a
    "<label> (German)" field named "<field>_de" added after the form's own fields."""

    german_texts: tuple[str, ...] = ("name", "description")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.german_texts:
            english = self.fields[field]
            german = copy.deepcopy(english)
            german.required = False
            german.label = german_label(english.label if english.label is not None else pretty_name(field))
            german.help_text = _("Optional: left blank, German pages show the English text.")
            german.widget.attrs["lang"] = GERMAN
            self.fields[f"{field}_{GERMAN}"] = german
            if getattr(self.instance, "pk", None):
                english_text = getattr(self.instance, f"{field}_{ENGLISH}")
                self.initial[field] = english_text if english_text is not None else getattr(self.instance, field)
                self.initial[f"{field}_{GERMAN}"] = getattr(self.instance, f"{field}_{GERMAN}") or ""

    def save(self, commit: bool = True):
        for field in self.german_texts:
            setattr(self.instance, f"{field}_{ENGLISH}", self.cleaned_data[field])
            setattr(self.instance, f"{field}_{GERMAN}", self.cleaned_data.get(f"{field}_{GERMAN}") or None)
        # The original column keeps the English text (modeltranslation saves the active language's).
        with translation.override(ENGLISH):
            return super().save(commit)


GERMAN_LEGEND = _("In German (optional)")


def layout_with_german_fieldset(form: GermanTextsMixin) -> Layout:
    """The form's fields in order, with its German fields grouped last under GERMAN_LEGEND."""
    german = [f"{field}_{GERMAN}" for field in form.german_texts]
    return Layout(*(name for name in form.fields if name not in german), Fieldset(GERMAN_LEGEND, *german))
