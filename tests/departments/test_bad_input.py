"""Attacks on the organisation pages and imports: each refused with a clear message, nothing written."""

from __future__ import annotations

import base64

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from departments.models import ServiceParameter
from departments.views import PENDING_IMPORT_KEY
from tests.factories import charter_post, upload

EMPLOYEES_WITH_NUL = "email,first_name,last_name,department_code\nada@acme.example,Ada,Love\x00lace,it\n"
UNTERMINATED = 'code,name\nlegal,"Legal\nfinance,Finance\nhr2,People\n'


# --- NUL and broken quoting in the organisation import --------------------------------------


def test_nul_in_an_uploaded_file_is_a_file_line_error_at_the_check_and_nothing_is_waiting(login, org, database_rows):
    client = login(org.hr)
    before = database_rows()

    check = client.post("/hr/import/", {"employees": upload("staff.csv", EMPLOYEES_WITH_NUL)})

    page = check.content.decode()
    assert check.status_code == 200
    assert "Nothing was imported: 1 problem to fix" in page
    assert "staff.csv:2: last_name contains a NUL character (U+0000), which is not allowed" in page
    assert PENDING_IMPORT_KEY not in client.session
    confirm = client.post("/hr/import/confirm/", follow=True)
    assert "There is no checked import waiting" in confirm.content.decode()
    assert database_rows() == before


def test_a_waiting_import_holding_nul_is_refused_at_confirmation_with_its_errors(login, org, database_rows):
    """An import checked before the check refused NUL, still waiting in someone's session."""
    client = login(org.hr)
    session = client.session
    session[PENDING_IMPORT_KEY] = {
        "files": {"employees": ["staff.csv", base64.b64encode(EMPLOYEES_WITH_NUL.encode()).decode()]},
        "deactivate_missing": False,
    }
    session.save()
    before = database_rows()

    response = client.post("/hr/import/confirm/")

    assert response.status_code == 200
    assert "staff.csv:2: last_name contains a NUL character" in response.content.decode()
    assert database_rows() == before


def test_an_unterminated_quote_in_an_upload_is_a_file_line_error(login, org, database_rows):
    client = login(org.hr)
    before = database_rows()

    response = client.post("/hr/import/", {"departments": upload("departments.csv", UNTERMINATED)})

    assert "departments.csv:2: a quoted value that starts on this line has no closing quote" in (
        response.content.decode()
    )
    assert "import-summary" not in response.content.decode()
    assert database_rows() == before


@pytest.mark.parametrize(
    ("kind", "text", "error"),
    [
        ("employees", EMPLOYEES_WITH_NUL, "staff.csv:2: last_name contains a NUL character (U+0000)"),
        (
            "departments",
            "code,name,description\nlegal,Legal\x00,Contracts\n",
            "staff.csv:2: name contains a NUL character (U+0000)",
        ),
        ("departments", UNTERMINATED, "staff.csv:2: a quoted value that starts on this line has no closing quote"),
        ("departments", 'code,name\nlegal,"Legal\r\nand Risk"\n', "staff.csv:2: name contains a line break"),
    ],
)
def test_the_import_org_command_reports_file_line_column_and_writes_nothing(
    tmp_path, capsys, org, database_rows, kind, text, error
):
    (tmp_path / "staff.csv").write_bytes(text.encode())
    before = database_rows()

    with pytest.raises(CommandError, match="Nothing was imported: 1 error"):
        call_command("import_org", **{kind: str(tmp_path / "staff.csv")})

    assert error in capsys.readouterr().err
    assert database_rows() == before


def test_a_department_description_may_hold_lines_but_not_ten_thousand_characters(org):
    from departments.org_import import CsvFile, ImportFailed, org_import

    org_import(departments=CsvFile("d.csv", b'code,name,description\nlegal,Legal,"Contracts.\r\nAdvice."\n'))
    with pytest.raises(ImportFailed) as failure:
        org_import(departments=CsvFile("d.csv", f"code,name,description\nlegal,Legal,{'x' * 10_000}\n".encode()))

    assert failure.value.errors == ["d.csv:2: description is longer than 1000 characters"]


# --- the charter formset ---------------------------------------------------------------------


def test_a_tampered_charter_reusing_a_code_is_a_form_error_and_the_rename_in_it_is_not_saved(
    login, org, database_rows
):
    """The form count says one parameter exists (there are two): a new row takes the second one's code."""
    data = charter_post(org.it, changes={"form-0-name": "Renamed"})
    first, second = ServiceParameter.objects.filter(department=org.it).order_by("-active", "position", "name")
    tampered = {key: value for key, value in data.items() if not key.startswith(("form-1-", "form-2-"))}
    tampered |= {
        "form-INITIAL_FORMS": "1",
        "form-TOTAL_FORMS": "2",
        "form-1-name": "Duplicate",
        "form-1-code": second.code,
        "form-1-description": "Same code as another parameter.",
        "form-1-target": "4.00",
        "form-1-weight": "1.00",
        "form-1-position": "3",
        "form-1-active": "on",
    }
    client = login(org.head)
    before = database_rows()

    response = client.post(reverse("departments:charter_edit", args=["it"]), tampered)

    assert response.status_code == 200
    assert f"Another parameter of this charter already uses the code “{second.code}”." in response.content.decode()
    assert database_rows() == before
    first.refresh_from_db()
    assert first.name != "Renamed"


def test_a_new_row_taking_an_inactive_parameters_code_is_a_form_error(login, org, database_rows):
    ServiceParameter.objects.filter(department=org.it, code="quality").update(active=False)
    data = charter_post(org.it, extra={"name": "Quality again", "code": "quality", "description": "Again."})
    client = login(org.head)
    before = database_rows()

    response = client.post(reverse("departments:charter_edit", args=["it"]), data)

    assert "Another parameter of this charter already uses the code “quality”." in response.content.decode()
    assert database_rows() == before


def test_two_parameters_exchanging_codes_save_nothing_and_say_so(login, org, database_rows):
    first, second = ServiceParameter.objects.filter(department=org.it).order_by("-active", "position", "name")
    data = charter_post(org.it, changes={"form-0-code": second.code, "form-1-code": first.code, "form-0-name": "New"})
    client = login(org.head)
    before = database_rows()

    response = client.post(reverse("departments:charter_edit", args=["it"]), data)

    assert response.status_code == 200
    assert "Nothing was saved: two parameters would have had the same code at once" in response.content.decode()
    assert database_rows() == before


def test_a_charter_edit_still_saves_renames_and_new_parameters_together(login, org):
    data = charter_post(
        org.it,
        changes={"form-0-name": "Speed of answers"},
        extra={"name": "Security", "code": "security", "description": "Access is granted safely."},
    )

    assert login(org.head).post(reverse("departments:charter_edit", args=["it"]), data).status_code == 302
    assert set(org.it.charter_queryset().values_list("name", flat=True)) == {
        "Speed of answers",
        "Quality of work",
        "Security",
    }


# --- GET parameters of the directory and the people list --------------------------------------


@pytest.mark.parametrize(
    ("url", "query", "message"),
    [
        ("/departments/", {"q": "IT\x00"}, "The search in the address is not valid"),
        ("/departments/", {"page": "²"}, "The page number in the address is not valid"),
        ("/departments/", {"front_line": "yes\x00"}, "The “front line only” filter in the address is not valid"),
        ("/hr/people/", {"department": "it\x00"}, "The department in the address is not valid"),
        ("/hr/people/", {"department": "nowhere"}, "The department in the address is not valid"),
        ("/hr/people/", {"status": "\u202eall"}, "The “include deactivated” filter in the address is not valid"),
        ("/hr/people/", {"page": "9" * 5000}, "The page number in the address is not valid"),
        ("/hr/departments/", {"page": "-1"}, "The page number in the address is not valid"),
    ],
)
def test_a_bad_value_in_the_address_shows_the_default_page_and_says_so(login, org, url, query, message):
    response = login(org.hr).get(url, query)

    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_people_list_still_filters_by_a_real_department(login, org):
    page = login(org.hr).get("/hr/people/", {"department": "sales", "q": "sales.head"}).content.decode()

    assert "sales.head@example.com" in page and "head@example.com</td>" not in page.replace("sales.head@", "")


def test_a_failed_check_leaves_no_earlier_checked_files_waiting(login, org, database_rows):
    client = login(org.hr)
    client.post("/hr/import/", {"departments": upload("departments.csv", "code,name\nlegal,Legal\n")})
    assert PENDING_IMPORT_KEY in client.session

    client.post("/hr/import/", {"employees": upload("staff.csv", EMPLOYEES_WITH_NUL)})
    before = database_rows()

    assert PENDING_IMPORT_KEY not in client.session
    assert "There is no checked import waiting" in client.post("/hr/import/confirm/", follow=True).content.decode()
    assert database_rows() == before
