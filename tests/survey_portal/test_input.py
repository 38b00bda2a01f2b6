"""The one rule for text (survey_portal.text), in forms (survey_portal.forms), CSV files
(survey_portal.csvfiles) and GET parameters (survey_portal.query)."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.base import SessionBase
from django.test import RequestFactory

from survey_portal.csvfiles import CsvFile, read_table
from survey_portal.forms import PlainTextMixin
from survey_portal.query import query_choice, query_int, query_page, query_text
from survey_portal.text import refused_character

# --- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ("Customer Service", None),
        ("Müller — Qualität 😀", None),
        ("שירות לקוחות", None),  # right-to-left text needs no control character
        ("Q1\x00", "a NUL character (U+0000)"),
        ("Q1\r\nBcc: someone@example.com", "a line break"),
        ("Q1\nQ2", "a line break"),
        ("Q1\u2028Q2", "a line break"),
        ("Q1\tQ2", "a tab (U+0009)"),
        ("bell\x07", "an invisible control character (U+0007)"),
        ("escape\x1b[31m", "an invisible control character (U+001B)"),
        ("delete\x7f", "an invisible control character (U+007F)"),
        ("next line\x85", "an invisible control character (U+0085)"),
        ("invoice\u202efdp.exe", "a text-direction control (U+202E)"),
        ("isolate\u2066x\u2069", "a text-direction control (U+2066)"),
    ],
)
def test_a_single_line_holds_no_control_character(value, refused):
    assert refused_character(value) == refused


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ("Fast.\nFriendly.", None),
        ("Fast.\r\nFriendly.", None),
        ("Fast:\tyes", None),
        ("من اليمين \u202b إلى اليسار", None),  # a paragraph of its own may set its direction
        ("Fast.\rFriendly.", "a carriage return without a line feed (U+000D)"),
        ("Fast.\x00", "a NUL character (U+0000)"),
        ("Fast.\x0b", "an invisible control character (U+000B)"),
        ("Fast.\x0c", "an invisible control character (U+000C)"),
        ("Fast.\x7f", "an invisible control character (U+007F)"),
    ],
)
def test_a_paragraph_holds_line_breaks_and_tabs_and_no_other_control_character(value, refused):
    assert refused_character(value, multiline=True) == refused


# --- forms ------------------------------------------------------------------------------------------


class SampleForm(PlainTextMixin, forms.Form):
    name = forms.CharField(max_length=100)
    email = forms.EmailField(required=False)
    comment = forms.CharField(required=False, label="What do they do well?", widget=forms.Textarea)
    count = forms.IntegerField(required=False)


def test_a_form_refuses_a_control_character_with_a_message_naming_the_field():
    form = SampleForm({"name": "Q1\x00 survey", "comment": "Fine\x07"})

    assert not form.is_valid()
    assert form.errors["name"] == [
        "“Name” contains a NUL character (U+0000), which is not allowed here. Remove it and try again."
    ]
    assert form.errors["comment"] == [
        "“What do they do well?” contains an invisible control character (U+0007), which is not allowed here. "
        "Remove it and try again."
    ]


def test_a_textarea_keeps_its_line_breaks_and_a_text_field_refuses_them():
    form = SampleForm({"name": "Q1\r\nBcc: x@example.com", "comment": "Fast.\r\n\tFriendly."})

    assert not form.is_valid()
    assert list(form.errors) == ["name"]
    assert "line break" in form.errors["name"][0]
    assert form.cleaned_data["comment"] == "Fast.\r\n\tFriendly."


def test_an_email_with_a_header_in_it_is_refused():
    form = SampleForm({"name": "Ada", "email": "ada@example.com\r\nBcc: all@example.com"})

    assert not form.is_valid() and "line break" in " ".join(form.errors["email"])


def test_a_form_takes_plain_text_as_it_is():
    form = SampleForm({"name": "Customer Service — Ω", "comment": "Fast.\nFriendly.", "count": "3"})

    assert form.is_valid(), form.errors


def test_every_form_of_the_site_follows_the_text_rule():
    import accounts.forms
    import departments.forms
    import surveys.forms

    site_forms = [
        value
        for module in (accounts.forms, departments.forms, surveys.forms)
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, forms.BaseForm)
        and value.__module__ == module.__name__
        and not value.__name__.startswith("Base")
    ]
    assert len(site_forms) >= 10
    assert [form.__name__ for form in site_forms if not issubclass(form, PlainTextMixin)] == []


# --- CSV files ----------------------------------------------------------------------------------


def read(text: str, *, multiline: tuple[str, ...] = ()) -> tuple[list, list[str]]:
    errors: list[str] = []
    table = read_table(CsvFile("people.csv", text.encode()), ("name", "code"), ("note",), errors, multiline=multiline)
    return ([row.values for row in table.rows] if table else None), errors


def test_an_unterminated_quote_is_an_error_on_the_line_where_it_opens():
    rows, errors = read('name,code\nAda,a\n"Grace,g\nAlan,a2\nEdsger,e\n')

    assert rows is None
    assert errors == ["people.csv:3: a quoted value that starts on this line has no closing quote"]


def test_text_after_a_closing_quote_is_an_error():
    rows, errors = read('name,code\nAda,a\n"Grace" Hopper,g\n')

    assert rows is None
    assert errors == [
        'people.csv:3: text follows the closing quote of a value (a quote inside a quoted value is written twice: "")'
    ]


def test_a_quote_inside_an_unquoted_value_and_a_doubled_quote_are_read_as_written():
    rows, errors = read('name,code\nO"Brien,o\n"Ada ""The Countess"" Lovelace",a\n')

    assert errors == []
    assert rows == [{"name": 'O"Brien', "code": "o"}, {"name": 'Ada "The Countess" Lovelace', "code": "a"}]


@pytest.mark.parametrize(
    ("cell", "error"),
    [
        ("Gr\x00ace", "people.csv:3: name contains a NUL character (U+0000), which is not allowed"),
        ('"Grace\nHopper"', "people.csv:3: name contains a line break, which is not allowed"),
        ("Grace\x1b", "people.csv:3: name contains an invisible control character (U+001B), which is not allowed"),
        ("\u202eecarG", "people.csv:3: name contains a text-direction control (U+202E), which is not allowed"),
    ],
)
def test_every_cell_read_follows_the_text_rule_and_the_error_names_file_line_and_column(cell, error):
    rows, errors = read(f"name,code\nAda,a\n{cell},g\nAlan,t\n")

    assert len(errors) == 1 and errors[0].startswith(error)
    assert [row["name"] for row in rows] == ["Ada", "Alan"]  # the bad row is left out, its error kept


def test_a_multi_line_column_keeps_line_breaks_and_tabs_and_still_refuses_nul():
    rows, errors = read('name,code,note\nAda,a,"Line one\r\n\tLine two"\nGrace,g,"x\x00"\n', multiline=("note",))

    assert rows == [{"name": "Ada", "code": "a", "note": "Line one\r\n\tLine two"}]
    assert errors[0].startswith("people.csv:4: note contains a NUL character (U+0000)")


def test_a_column_the_import_does_not_read_may_hold_line_breaks_but_no_nul():
    rows, errors = read('name,code,remarks\nAda,a,"two\nlines"\nGrace,g,\x00\n')

    assert rows == [{"name": "Ada", "code": "a", "remarks": "two\nlines"}]
    assert errors[0].startswith("people.csv:4: remarks contains a NUL character (U+0000)")


def test_a_file_saved_as_utf16_without_its_mark_is_explained():
    rows, errors = read("name,code\nAda,a\n".encode("utf-16-le").decode("latin-1"))

    assert rows is None
    assert len(errors) == 1 and "contains a NUL character" in errors[0] and "CSV UTF-8" in errors[0]


# --- GET parameters ---------------------------------------------------------------------------


def get(query: dict):
    request = RequestFactory().get("/", query)
    request.session = SessionBase()
    request._messages = FallbackStorage(request)
    return request


def shown(request) -> list[str]:
    return [str(message) for message in get_messages(request)]


@pytest.mark.parametrize("raw", ["²", "٣", "9" * 5000, "0", "1001", "-1", "1.5", " 2", "\x00", "2\x00", ""])
def test_a_number_in_the_address_outside_its_range_or_not_ascii_digits_gives_the_default(raw):
    request = get({"cols": raw})

    assert query_int(request, "cols", default=1, low=1, high=1000, label="page of the heatmap") == 1
    assert shown(request) == (
        [] if raw == "" else ["The page of the heatmap in the address is not valid, so it was ignored."]
    )


def test_a_number_in_the_address_within_its_range_is_taken():
    request = get({"cols": "1000"})

    assert query_int(request, "cols", default=1, low=1, high=1000, label="page") == 1000
    assert shown(request) == []


def test_a_choice_in_the_address_is_one_of_its_values_or_the_default():
    assert query_choice(get({"status": "all"}), "status", ["all"], label="filter") == "all"
    request = get({"status": "all\x00"})
    assert query_choice(request, "status", ["all"], label="filter") == ""
    assert shown(request) == ["The filter in the address is not valid, so it was ignored."]


@pytest.mark.parametrize("raw", ["a\x00b", "a\r\nb", "\u202eab", "x" * 101])
def test_a_search_in_the_address_is_one_line_of_plain_text(raw):
    request = get({"q": raw})

    assert query_text(request, "q", label="search") == ""
    assert shown(request) == ["The search in the address is not valid, so it was ignored."]
    assert query_text(get({"q": "  Ω ² 1 "}), "q", label="search") == "Ω ² 1"


def test_a_page_past_the_last_is_the_last_and_a_bad_one_the_first():
    items = list(range(30))
    assert query_page(get({"page": "99"}), items, 10).number == 3
    assert query_page(get({"page": "²"}), items, 10).number == 1
