"""Charter content per language (django-modeltranslation): a department's name and description and
each service parameter's name and description get a column per language (name_en, name_de...).
Reading `name` gives the active language's text, English where the German is blank."""

from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from departments.models import Department, ServiceParameter


@register(Department)
class DepartmentTranslationOptions(TranslationOptions):
    fields = ("name", "description")


@register(ServiceParameter)
class ServiceParameterTranslationOptions(TranslationOptions):
    fields = ("name", "description")


# The charter's history (simple_history) keeps every language's texts, as the charter has them.
@register(ServiceParameter.history.model)
class HistoricalServiceParameterTranslationOptions(TranslationOptions):
    fields = ("name", "description")
