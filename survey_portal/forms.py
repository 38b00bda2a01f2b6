"""What every form of the site shares: text fields refuse control characters (survey_portal.text)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.forms.utils import pretty_name

from .text import refused_character


class PlainText:
    """A field's validator: the text rule of survey_portal.text, in a message that names the field."""

    def __init__(self, label: str, *, multiline: bool):
        self.label = label
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        refused = refused_character(value, multiline=self.multiline)
        if refused:
            raise ValidationError(
                f"“{self.label}” contains {refused}, which is not allowed here. Remove it and try again.",
                code="control_character",
            )


# Django's messages for a value that is not among the choices repeat the value, whatever was sent
# (ten thousand characters, a direction override): this one, its model choice fields' own, does not.
NOT_A_CHOICE = "Select a valid choice. That choice is not one of the available choices."


class PlainTextMixin:
    """Mixed into every form: each text field is single-line, or multi-line when shown as a textarea.

    It replaces Django's own NUL check (one message per field, naming it) and runs first; a choice
    that is not among those offered is refused without repeating what was sent.
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                label = str(field.label) if field.label is not None else pretty_name(name)
                plain = PlainText(label, multiline=isinstance(field.widget, forms.Textarea))
                field.validators = [
                    plain,
                    *(v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)),
                ]
            elif isinstance(field, forms.ChoiceField | forms.ModelMultipleChoiceField):
                field.error_messages |= {"invalid_choice": NOT_A_CHOICE, "invalid_pk_value": NOT_A_CHOICE}


def keep_existing_length(field: forms.CharField, value: str | None) -> None:
    """Let a value saved before a length limit existed be kept as it is: the limit becomes its
    length, so an unrelated edit of the same form is not refused, and it can only get shorter."""
    if value and field.max_length is not None and len(value) > field.max_length:
        field.max_length = len(value)
        field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
        field.validators.append(MaxLengthValidator(len(value)))
        field.widget.attrs["maxlength"] = str(len(value))
