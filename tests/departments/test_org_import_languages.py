"""The organisation import's German columns (name_de, description_de) for departments and charters."""

from __future__ import annotations

import pytest
from django.utils import translation

from departments.models import Department, ServiceParameter
from departments.org_import import org_import
from tests.departments.test_org_import import csv_file, import_errors, snapshot

pytestmark = pytest.mark.django_db


DEPARTMENTS_DE = """code,name,description,name_de,description_de
it,IT,Laptops and networks.,IT-Service,Laptops und Netzwerke.
sales,Sales,Sells things.,,
"""
PARAMETERS_DE = """department_code,code,name,target,description,name_de,description_de
it,responsiveness,Responsiveness,4,Tickets are answered within a day.,Reaktionszeit,Tickets werden innerhalb eines Tages beantwortet.
it,uptime,System availability,4.25,Systems are up during working hours.,,
"""


def texts(model, **lookup) -> tuple:
    row = model.objects.get(**lookup)
    return row.name_en, row.name_de, row.description_en, row.description_de


def test_german_columns_set_the_german_texts_and_blank_cells_leave_none():
    org_import(departments=csv_file("departments.csv", DEPARTMENTS_DE), parameters=csv_file("p.csv", PARAMETERS_DE))

    assert texts(Department, code="it") == ("IT", "IT-Service", "Laptops and networks.", "Laptops und Netzwerke.")
    assert texts(Department, code="sales") == ("Sales", None, "Sells things.", None)
    assert texts(ServiceParameter, department__code="it", code="responsiveness") == (
        "Responsiveness",
        "Reaktionszeit",
        "Tickets are answered within a day.",
        "Tickets werden innerhalb eines Tages beantwortet.",
    )
    assert texts(ServiceParameter, department__code="it", code="uptime")[1::2] == (None, None)
    with translation.override("de"):
        assert Department.objects.get(code="it").name == "IT-Service"
        assert Department.objects.get(code="sales").name == "Sales"  # English where German is blank


def test_an_import_run_in_german_writes_the_files_english_columns_as_english():
    with translation.override("de"):
        org_import(departments=csv_file("departments.csv", "code,name\nit,IT\n"))
    assert texts(Department, code="it")[:2] == ("IT", None)


def test_a_file_without_the_german_columns_leaves_the_german_texts_as_they_are():
    org_import(departments=csv_file("departments.csv", DEPARTMENTS_DE), parameters=csv_file("p.csv", PARAMETERS_DE))

    summary = org_import(
        departments=csv_file("departments.csv", "code,name,description\nit,Information technology,Laptops.\n"),
        parameters=csv_file(
            "p.csv",
            "department_code,code,name,target,description\nit,responsiveness,Speed,4,Answered within a day.\n",
        ),
    )

    assert texts(Department, code="it") == (
        "Information technology",
        "IT-Service",
        "Laptops.",
        "Laptops und Netzwerke.",
    )
    assert texts(ServiceParameter, department__code="it", code="responsiveness")[:2] == ("Speed", "Reaktionszeit")
    assert summary.departments.updated == 1


def test_an_empty_german_cell_clears_the_german_text():
    org_import(departments=csv_file("departments.csv", DEPARTMENTS_DE))

    org_import(departments=csv_file("departments.csv", "code,name,name_de\nit,IT,\n"))

    assert texts(Department, code="it")[:2] == ("IT", None)
    with translation.override("de"):
        assert Department.objects.get(code="it").name == "IT"


def test_reimporting_the_german_columns_counts_as_unchanged():
    org_import(departments=csv_file("departments.csv", DEPARTMENTS_DE), parameters=csv_file("p.csv", PARAMETERS_DE))

    summary = org_import(
        departments=csv_file("departments.csv", DEPARTMENTS_DE), parameters=csv_file("p.csv", PARAMETERS_DE)
    )

    assert (summary.departments.updated, summary.departments.unchanged) == (0, 2)
    assert (summary.parameters.updated, summary.parameters.unchanged) == (0, 2)


def test_bad_german_values_are_reported_by_line_and_nothing_is_written():
    org_import(departments=csv_file("departments.csv", "code,name\nit,IT\n"))
    before = snapshot()
    german_before = sorted(Department.objects.values_list("code", "name_de", "description_de"))
    long_name = "N" * 121
    errors = import_errors(
        departments=csv_file(
            "departments.csv", f"code,name,name_de,description_de\nit,IT,{long_name},ok\nhr,HR,HR,\n"
        ),
        parameters=csv_file(
            "parameters.csv",
            "department_code,code,name,target,description,name_de,description_de\n"
            f"it,speed,Speed,4,Fast.,Tempo,{'x' * 301}\n"
            "it,care,,4,Kind.,Sorgfalt,\n",
        ),
    )

    assert errors == [
        "departments.csv:2: name_de is longer than 120 characters",
        "parameters.csv:2: description_de is longer than 300 characters",
        "parameters.csv:3: name is empty",  # a German name does not stand in for the English one
    ]
    assert snapshot() == before
    assert sorted(Department.objects.values_list("code", "name_de", "description_de")) == german_before
    assert not Department.objects.filter(code="hr").exists()
