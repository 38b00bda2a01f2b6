from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from departments.models import Department, Dependency, Employee, ServiceParameter
from departments.org_import import CsvFile, ImportFailed, org_import
from tests.factories import DepartmentFactory, EmployeeFactory, ServiceParameterFactory

User = get_user_model()

DEPARTMENTS = """code,name,head_email,front_line,description
it,IT,ada@acme.example,no,Laptops and networks.
sales,Sales,,yes,Sells things.
finance,Finance,grace@acme.example,false,Pays the bills.
"""
EMPLOYEES = """email,first_name,last_name,department_code,job_title
Ada@Acme.example,Ada,Lovelace,it,CIO
grace@acme.example,Grace,Hopper,finance,CFO
alan@acme.example,Alan,Turing,sales,Account Manager
"""
DEPENDENCIES = """consumer_code,provider_code
sales,it
sales,finance
finance,it
"""
PARAMETERS = """department_code,code,name,target,weight,description
it,responsiveness,Responsiveness,4,2,Tickets are answered within a day.
it,uptime,System availability,4.25,1,Systems are up during working hours.
"""


def csv_file(name: str, text: str) -> CsvFile:
    return CsvFile(name, text.encode())


def full_import(**overrides) -> object:
    files = {
        "departments": csv_file("departments.csv", DEPARTMENTS),
        "employees": csv_file("employees.csv", EMPLOYEES),
        "dependencies": csv_file("dependencies.csv", DEPENDENCIES),
        "parameters": csv_file("parameters.csv", PARAMETERS),
    }
    files.update(overrides)
    return org_import(**{k: v for k, v in files.items() if v is not None})


def snapshot() -> dict:
    """Every organisation row, to prove an import changed nothing (or something)."""
    return {
        "users": sorted(User.objects.values_list("username", "email", "first_name", "last_name", "is_active")),
        "departments": sorted(
            Department.objects.values_list("code", "name", "description", "front_line", "active", "head__user__email")
        ),
        "employees": sorted(Employee.objects.values_list("user__username", "department__code", "job_title", "active")),
        "dependencies": sorted(Dependency.objects.values_list("consumer__code", "provider__code")),
        "parameters": sorted(
            ServiceParameter.objects.values_list(
                "department__code", "code", "name", "description", "target", "weight", "position", "active"
            )
        ),
    }


def import_errors(**files) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        org_import(**files)
    return failure.value.errors


# --- happy path -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_the_whole_organisation():
    summary = full_import()

    assert (summary.departments.created, summary.employees.created) == (3, 3)
    assert (summary.dependencies.created, summary.parameters.created) == (3, 2 + 5 + 5)
    it = Department.objects.get(code="it")
    assert it.head.user.email == "ada@acme.example"
    assert it.front_line is False
    assert Department.objects.get(code="sales").front_line is True
    assert Department.objects.get(code="sales").head is None
    assert Department.objects.get(code="finance").head.full_name == "Grace Hopper"
    assert list(it.charter_queryset().values_list("code", "target", "weight")) == [
        ("responsiveness", Decimal("4.00"), Decimal("2.00")),
        ("uptime", Decimal("4.25"), Decimal("1.00")),
    ]
    assert set(Department.objects.get(code="sales").providers.values_list("code", flat=True)) == {"it", "finance"}


@pytest.mark.django_db
def test_new_department_without_charter_rows_gets_the_default_charter():
    full_import()

    names = list(Department.objects.get(code="sales").charter_queryset().values_list("name", flat=True))
    assert names == ["Responsiveness", "Communication", "Quality of work", "Reliability", "Professionalism"]


@pytest.mark.django_db
def test_imported_people_sign_in_by_lower_cased_email_and_have_no_usable_password():
    full_import()

    user = User.objects.get(username="ada@acme.example")
    assert user.email == "ada@acme.example"
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_bom_crlf_columns_in_any_order_and_extra_columns_are_accepted():
    text = "\ufeffjob_title,department_code,EMAIL,last_name,first_name,shoe_size\r\nCIO,it,ada@acme.example,Lovelace,Ada,38\r\n"
    org_import(
        departments=csv_file("d.csv", "code,name\nit,IT\n"),
        employees=CsvFile("employees.csv", text.encode("utf-8")),
    )

    employee = Employee.objects.get()
    assert (employee.full_name, employee.job_title, employee.department.code) == ("Ada Lovelace", "CIO", "it")


@pytest.mark.django_db
def test_quoted_values_may_hold_commas_and_line_breaks():
    text = 'code,name,description\nlegal,Legal,"Contracts, advice\nand disputes."\nit,IT,\n'
    org_import(departments=csv_file("departments.csv", text))

    assert Department.objects.get(code="legal").description == "Contracts, advice\nand disputes."


# --- re-import --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reimporting_the_same_files_changes_nothing():
    full_import()
    before = snapshot()

    summary = full_import()

    assert snapshot() == before
    for kind, counts in summary.items():
        assert (counts.created, counts.updated, counts.deactivated, counts.removed) == (0, 0, 0, 0), kind
    assert summary.employees.unchanged == 3


@pytest.mark.django_db
def test_reimport_updates_by_email_and_code():
    full_import()
    moved = EMPLOYEES.replace(
        "alan@acme.example,Alan,Turing,sales,Account Manager", "alan@acme.example,Alan,Turing,it,Engineer"
    )
    renamed = DEPARTMENTS.replace("finance,Finance,", "finance,Finance & Controlling,")

    summary = full_import(employees=csv_file("employees.csv", moved), departments=csv_file("d.csv", renamed))

    alan = Employee.objects.get(user__username="alan@acme.example")
    assert (alan.department.code, alan.job_title) == ("it", "Engineer")
    assert Department.objects.get(code="finance").name == "Finance & Controlling"
    assert (summary.employees.updated, summary.employees.unchanged) == (1, 2)
    assert (summary.departments.updated, summary.departments.unchanged) == (1, 2)
    assert Employee.objects.count() == 3


@pytest.mark.django_db
def test_changing_only_the_head_counts_the_department_as_updated():
    full_import()

    summary = full_import(
        departments=csv_file("d.csv", DEPARTMENTS.replace("sales,Sales,,", "sales,Sales,alan@acme.example,"))
    )

    assert Department.objects.get(code="sales").head.user.username == "alan@acme.example"
    assert (summary.departments.updated, summary.departments.unchanged) == (1, 2)


@pytest.mark.django_db
def test_head_column_absent_keeps_heads_and_empty_value_clears_it():
    full_import()

    org_import(departments=csv_file("d.csv", "code,name\nit,IT\n"))
    assert Department.objects.get(code="it").head.user.username == "ada@acme.example"

    org_import(departments=csv_file("d.csv", "code,name,head_email\nit,IT,\n"))
    assert Department.objects.get(code="it").head is None


@pytest.mark.django_db
def test_deactivate_missing_deactivates_but_never_deletes_and_reimport_reactivates():
    full_import()
    without_alan = "\n".join(line for line in EMPLOYEES.splitlines() if "alan" not in line) + "\n"

    summary = org_import(employees=csv_file("employees.csv", without_alan), deactivate_missing=True)

    alan = Employee.objects.select_related("user").get(user__username="alan@acme.example")
    assert summary.employees.deactivated == 1
    assert (alan.active, alan.user.is_active) == (False, False)
    assert Employee.objects.filter(active=True).count() == 2

    full_import()
    alan.refresh_from_db()
    alan.user.refresh_from_db()
    assert (alan.active, alan.user.is_active) == (True, True)


@pytest.mark.django_db
def test_without_the_flag_people_missing_from_the_file_stay_active():
    full_import()

    org_import(
        employees=csv_file("employees.csv", EMPLOYEES.splitlines()[0] + "\n" + EMPLOYEES.splitlines()[1] + "\n")
    )

    assert Employee.objects.filter(active=True).count() == 3


@pytest.mark.django_db
def test_optional_columns_missing_from_a_file_leave_those_fields_alone():
    full_import()

    summary = org_import(
        departments=csv_file("d.csv", "code,name\nit,IT\n"),
        employees=csv_file("e.csv", "email,first_name,last_name,department_code\nada@acme.example,Ada,Lovelace,it\n"),
        parameters=csv_file(
            "p.csv",
            "department_code,code,name,target,description\nit,responsiveness,Responsiveness,4,Tickets are answered within a day.\n",
        ),
    )

    assert Department.objects.get(code="it").description == "Laptops and networks."
    assert Employee.objects.get(user__username="ada@acme.example").job_title == "CIO"
    assert Department.objects.get(code="it").parameters.get(code="responsiveness").weight == Decimal("2.00")
    assert Department.objects.get(code="finance").parameters.get(code="responsiveness").weight == Decimal("1.00")
    assert (summary.departments.unchanged, summary.employees.unchanged) == (1, 1)


@pytest.mark.django_db
def test_dependencies_file_sets_exactly_the_providers_of_each_consumer_listed():
    full_import()

    summary = org_import(dependencies=csv_file("dependencies.csv", "consumer_code,provider_code\nsales,it\n"))

    assert set(Dependency.objects.values_list("consumer__code", "provider__code")) == {
        ("sales", "it"),
        ("finance", "it"),
    }
    assert (summary.dependencies.removed, summary.dependencies.unchanged) == (1, 1)


@pytest.mark.django_db
def test_parameters_file_replaces_the_charter_and_deactivates_what_it_omits():
    full_import()

    org_import(
        parameters=csv_file(
            "parameters.csv", "department_code,code,name,target,description\nit,uptime,Uptime,4.5,Up.\n"
        )
    )

    it = Department.objects.get(code="it")
    assert list(it.charter_queryset().values_list("code", "name", "target", "position")) == [
        ("uptime", "Uptime", Decimal("4.50"), 1)
    ]
    assert it.parameters.get(code="responsiveness").active is False


@pytest.mark.django_db
def test_dry_run_reports_the_summary_and_writes_nothing():
    summary = org_import(departments=csv_file("departments.csv", "code,name\nit,IT\n"), dry_run=True)

    assert summary.departments.created == 1
    assert not Department.objects.exists()


# --- bad input --------------------------------------------------------------------------------

ERROR_CASES = [
    (
        "unknown department",
        {"employees": "email,first_name,last_name,department_code\nx@acme.example,X,Y,nowhere\n"},
        "employees.csv:2: unknown department 'nowhere'",
    ),
    (
        "duplicate department code",
        {"departments": "code,name\nit,IT\nlegal,Legal\nit,Information Technology\n"},
        "departments.csv:4: duplicate department code 'it' (first on line 2)",
    ),
    (
        "duplicate email (case-insensitive)",
        {"employees": "email,first_name,last_name,department_code\na@acme.example,A,B,it\nA@ACME.example,A,C,it\n"},
        "employees.csv:3: duplicate email 'a@acme.example' (first on line 2)",
    ),
    (
        "malformed email",
        {"employees": "email,first_name,last_name,department_code\nnot-an-email,A,B,it\n"},
        "employees.csv:2: 'not-an-email' is not a valid email address",
    ),
    (
        "target above 5",
        {"parameters": "department_code,code,name,target,description\nit,speed,Speed,5.5,Fast.\n"},
        "parameters.csv:2: target 5.5 is outside 1–5",
    ),
    (
        "target below 1",
        {"parameters": "department_code,code,name,target,description\nit,speed,Speed,0,Fast.\n"},
        "parameters.csv:2: target 0 is outside 1–5",
    ),
    (
        "target not a number",
        {"parameters": "department_code,code,name,target,description\nit,speed,Speed,high,Fast.\n"},
        "parameters.csv:2: target 'high' is not a number",
    ),
    (
        "self-dependency",
        {"dependencies": "consumer_code,provider_code\nit,it\n"},
        "dependencies.csv:2: department 'it' cannot depend on itself",
    ),
    (
        "missing required column",
        {"employees": "email,first_name,department_code\na@acme.example,A,it\n"},
        "employees.csv:1: missing required column 'last_name'",
    ),
    (
        "empty required value",
        {"departments": "code,name\nlegal,\n"},
        "departments.csv:2: name is empty",
    ),
    (
        "code that is not a slug",
        {"departments": "code,name\nlegal team,Legal\n"},
        "departments.csv:2: code 'legal team' may contain only letters, digits, - and _",
    ),
    (
        "front_line not a boolean",
        {"departments": "code,name,front_line\nlegal,Legal,maybe\n"},
        "departments.csv:2: front_line 'maybe' is not yes/no, true/false or 1/0",
    ),
    (
        "head who is not an employee",
        {"departments": "code,name,head_email\nlegal,Legal,ghost@acme.example\n"},
        "departments.csv:2: head_email 'ghost@acme.example' is not an active employee (add them to employees.csv)",
    ),
    (
        "duplicate dependency",
        {"dependencies": "consumer_code,provider_code\nsales,it\nsales,it\n"},
        "dependencies.csv:3: duplicate dependency sales → it (first on line 2)",
    ),
    (
        "dependency on an unknown department",
        {"dependencies": "consumer_code,provider_code\nsales,catering\n"},
        "dependencies.csv:2: unknown department 'catering' in provider_code",
    ),
    (
        "duplicate parameter code",
        {"parameters": "department_code,code,name,target,description\nit,a,A,4,x\nit,a,B,4,y\n"},
        "parameters.csv:3: duplicate parameter 'a' for department 'it' (first on line 2)",
    ),
    (
        "unquoted comma",
        {"departments": "code,name\nlegal,Legal, Risk and Compliance\n"},
        "departments.csv:2: 3 values but the header has 2 columns (a value containing a comma must be quoted)",
    ),
    (
        "empty file",
        {"dependencies": ""},
        "dependencies.csv:1: the file is empty; a header row is required (consumer_code, provider_code)",
    ),
]


@pytest.mark.parametrize(("case", "files", "expected"), ERROR_CASES, ids=[case[0] for case in ERROR_CASES])
def test_every_bad_row_is_reported_as_file_line_reason_and_nothing_is_written(org, case, files, expected):
    before = snapshot()

    errors = import_errors(**{kind: csv_file(f"{kind}.csv", text) for kind, text in files.items()})

    assert expected in errors
    assert snapshot() == before


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_names_the_line():
    content = "code,name\nit,IT\nfin,Caf\xe9\n".encode("latin-1")

    errors = import_errors(departments=CsvFile("departments.csv", content))

    assert errors == ["departments.csv:3: not UTF-8 text (save the file as 'CSV UTF-8')"]


@pytest.mark.django_db
def test_every_error_in_every_file_is_listed_at_once():
    errors = import_errors(
        departments=csv_file("departments.csv", "code,name\nit,IT\nit,IT again\n"),
        employees=csv_file(
            "employees.csv", "email,first_name,last_name,department_code\nbad,A,B,it\nok@x.example,A,,nowhere\n"
        ),
        parameters=csv_file("parameters.csv", "department_code,code,name,target,description\nit,a,A,9,x\n"),
    )

    assert errors == [
        "departments.csv:3: duplicate department code 'it' (first on line 2)",
        "employees.csv:2: 'bad' is not a valid email address",
        "employees.csv:3: last_name is empty",
        "employees.csv:3: unknown department 'nowhere'",
        "parameters.csv:2: target 9 is outside 1–5",
    ]


@pytest.mark.django_db
def test_one_bad_file_among_good_ones_writes_nothing_at_all():
    DepartmentFactory(code="legal", name="Legal")
    before = snapshot()

    with pytest.raises(ImportFailed):
        full_import(
            parameters=csv_file("parameters.csv", "department_code,code,name,target,description\nit,a,A,6,x\n")
        )

    assert snapshot() == before


@pytest.mark.django_db
def test_refuses_to_deactivate_everyone_with_an_empty_employees_file():
    EmployeeFactory()

    errors = import_errors(
        employees=csv_file("employees.csv", "email,first_name,last_name,department_code\n"), deactivate_missing=True
    )

    assert errors == ["employees.csv: has no employees; refusing to deactivate everyone"]
    assert Employee.objects.filter(active=True).count() == 1


@pytest.mark.django_db
def test_a_head_who_would_be_deactivated_is_an_error():
    full_import()
    without_ada = "\n".join(line for line in EMPLOYEES.splitlines() if "Ada" not in line) + "\n"

    errors = import_errors(
        departments=csv_file("departments.csv", DEPARTMENTS),
        employees=csv_file("employees.csv", without_ada),
        deactivate_missing=True,
    )

    assert errors == [
        "departments.csv:2: head_email 'ada@acme.example' is not an active employee (add them to employees.csv)"
    ]


@pytest.mark.django_db
def test_existing_data_counts_as_known():
    ServiceParameterFactory(department=DepartmentFactory(code="it"))

    org_import(employees=csv_file("employees.csv", "email,first_name,last_name,department_code\nb@x.example,B,C,it\n"))

    assert Employee.objects.get().department.code == "it"


# --- the command ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_imports_and_prints_the_summary(tmp_path, capsys):
    for name, text in (("d.csv", DEPARTMENTS), ("e.csv", EMPLOYEES), ("x.csv", DEPENDENCIES), ("p.csv", PARAMETERS)):
        (tmp_path / name).write_text(text)

    call_command(
        "import_org",
        departments=str(tmp_path / "d.csv"),
        employees=str(tmp_path / "e.csv"),
        dependencies=str(tmp_path / "x.csv"),
        parameters=str(tmp_path / "p.csv"),
    )

    out = capsys.readouterr().out
    assert "departments: 3 created, 0 updated, 0 unchanged" in out
    assert "employees: 3 created, 0 updated, 0 unchanged" in out
    assert Employee.objects.count() == 3


@pytest.mark.django_db
def test_command_lists_errors_on_stderr_and_fails(tmp_path, capsys):
    (tmp_path / "employees.csv").write_text("email,first_name,last_name,department_code\nx,A,B,nowhere\n")

    with pytest.raises(CommandError, match="Nothing was imported: 2 error"):
        call_command("import_org", employees=str(tmp_path / "employees.csv"))

    err = capsys.readouterr().err
    assert "employees.csv:2: 'x' is not a valid email address" in err
    assert "employees.csv:2: unknown department 'nowhere'" in err
    assert not Employee.objects.exists()


@pytest.mark.django_db
def test_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"nope\.csv: cannot read"):
        call_command("import_org", departments=str(tmp_path / "nope.csv"))
