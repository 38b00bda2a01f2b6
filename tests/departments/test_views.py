from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.models import Department, Dependency, ServiceParameter
from departments.views import PENDING_IMPORT_KEY
from tests.factories import (
    DepartmentFactory,
    DependencyFactory,
    EmployeeFactory,
    ServiceParameterFactory,
    charter_post,
    upload,
)

# --- directory and charter pages --------------------------------------------------------------


def test_every_employee_reads_the_directory_and_any_charter(login, org):
    client = login(org.outsider)

    directory = client.get(reverse("departments:directory")).content.decode()
    charter = client.get(reverse("portal:charter", args=["it"])).content.decode()

    assert "IT" in directory and "Sales" in directory and "Human Resources" in directory
    assert "Responsiveness" in charter and "Quality of work" in charter
    assert "Target" in charter and "4.0" in charter
    assert org.head.full_name in charter  # its head
    assert 'href="/departments/sales/"' in charter and 'href="/departments/hr/"' in charter  # whom it serves
    assert "Edit charter" not in charter


def test_charter_page_lists_whom_the_department_depends_on(login, org):
    page = login(org.colleague).get(reverse("portal:charter", args=["sales"])).content.decode()

    assert "Depends on" in page and 'href="/departments/it/"' in page
    assert "Front line" in page


def test_directory_search_and_front_line_filter(login, org):
    client = login(org.colleague)

    assert [d.code for d in client.get("/departments/?q=sal").context["page"]] == ["sales"]
    assert [d.code for d in client.get("/departments/?front_line=1").context["page"]] == ["sales"]
    assert "No department matches" in client.get("/departments/?q=zzz").content.decode()


def test_unknown_department_is_404(login, org):
    assert login(org.colleague).get("/departments/nowhere/").status_code == 404


def test_inactive_department_is_hidden_from_employees_but_not_from_hr(login, org):
    Department.objects.filter(code="sales").update(active=False)

    assert login(org.colleague).get("/departments/sales/").status_code == 404
    assert login(org.hr).get("/departments/sales/").status_code == 200


def test_targets_keep_their_second_decimal(login, org):
    ServiceParameter.objects.filter(department=org.it, code="responsiveness").update(target=Decimal("3.75"))

    assert ">3.75<" in login(org.colleague).get("/departments/it/").content.decode()


# --- charter editing --------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("head", 200), ("hr", 200), ("colleague", 403), ("outsider_head", 403)])
def test_only_hr_and_the_departments_head_may_edit_its_charter(login, org, who, status):
    client = login(getattr(org, who))

    assert client.get(reverse("departments:charter_edit", args=["it"])).status_code == status
    assert client.post(reverse("departments:charter_edit", args=["it"]), charter_post(org.it)).status_code in (
        {302} if status == 200 else {403}
    )


def test_head_edits_a_target_and_adds_a_parameter(login, org):
    data = charter_post(
        org.it,
        changes={"form-0-target": "4.50"},
        extra={"name": "Security", "code": "Security", "description": "Access is granted safely.", "position": "9"},
    )

    response = login(org.head).post(reverse("departments:charter_edit", args=["it"]), data)

    assert response.status_code == 302
    assert list(org.it.charter_queryset().values_list("code", "target")) == [
        ("responsiveness", Decimal("4.50")),
        ("quality", Decimal("4.00")),
        ("security", Decimal("4.00")),
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"form-0-target": "6"}, "less than or equal to 5"),
        ({"form-0-target": "0.5"}, "greater than or equal to 1"),
        ({"form-1-code": "responsiveness"}, "already uses the code"),
        ({"form-0-active": "", "form-1-active": ""}, "at least one active parameter"),
        ({"form-0-name": ""}, "This field is required"),
        ({"form-0-weight": "0"}, "greater than or equal to 0.01"),
    ],
)
def test_charter_errors_are_shown_and_nothing_changes(login, org, changes, message):
    before = list(ServiceParameter.objects.values_list("code", "target", "weight", "active", "name"))
    data = charter_post(org.it, changes={k: v for k, v in changes.items() if v != ""})
    for key in [k for k, v in changes.items() if v == ""]:
        data.pop(key, None)

    response = login(org.head).post(reverse("departments:charter_edit", args=["it"]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(ServiceParameter.objects.values_list("code", "target", "weight", "active", "name")) == before


# --- HR pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/hr/",
        "/hr/departments/",
        "/hr/people/",
        "/hr/import/",
        "/hr/departments/new/",
        "/departments/it/edit/",
        "/departments/it/dependencies/",
    ],
)
def test_hr_pages_are_forbidden_to_heads_and_employees(login, org, url):
    assert login(org.hr).get(url).status_code == 200
    for who in (org.head, org.colleague):
        assert login(who).get(url).status_code == 403


def test_head_page_is_forbidden_to_someone_who_heads_nothing(login, org):
    assert login(org.colleague).get("/my/department/").status_code == 403


def test_hr_creates_a_department_with_the_default_charter(login, org):
    response = login(org.hr).post(
        "/hr/departments/new/", {"code": "Legal", "name": "Legal", "description": "Contracts.", "front_line": ""}
    )

    assert response.status_code == 302
    legal = Department.objects.get(code="legal")
    assert legal.charter_queryset().count() == 5
    assert response["Location"] == reverse("departments:charter_edit", args=["legal"])


def test_creating_a_department_with_a_taken_code_explains(login, org):
    response = login(org.hr).post("/hr/departments/new/", {"code": "it", "name": "Another IT"})

    assert "already exists" in response.content.decode()
    assert Department.objects.filter(code="it").count() == 1


def test_hr_assigns_a_head_only_from_the_departments_people(login, org):
    client = login(org.hr)
    data = {"name": "IT", "description": "x", "active": "on"}

    ok = client.post("/departments/it/edit/", {**data, "head": org.colleague.pk})
    refused = client.post("/departments/it/edit/", {**data, "head": org.outsider.pk})

    assert ok.status_code == 302
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    org.it.refresh_from_db()
    assert org.it.head == org.colleague


def test_hr_sets_dependencies_and_a_department_cannot_pick_itself(login, org):
    client = login(org.hr)

    response = client.post("/departments/sales/dependencies/", {"providers": [org.hr_dept.pk]})
    assert response.status_code == 302
    assert list(Dependency.objects.filter(consumer=org.sales).values_list("provider__code", flat=True)) == ["hr"]

    response = client.post("/departments/sales/dependencies/", {"providers": [org.sales.pk]})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_people_page_searches_and_filters(login, org):
    client = login(org.hr)

    assert [e.email for e in client.get("/hr/people/?q=colleague").context["page"]] == ["colleague@example.com"]
    assert {e.email for e in client.get("/hr/people/?department=sales").context["page"]} == {
        "outsider@example.com",
        "sales.head@example.com",
    }


def test_hr_dashboard_points_at_what_needs_attention(login, org):
    page = login(org.hr).get("/hr/").content.decode()

    assert "<strong>Human Resources</strong> has no head" in page
    assert "<strong>Human Resources</strong> has no active service parameter" in page
    assert "No department depends on <strong>Sales</strong>" in page


# --- the upload page --------------------------------------------------------------------------


def test_upload_checks_first_then_imports_on_confirmation(login, org):
    client = login(org.hr)

    check = client.post("/hr/import/", {"departments": upload("departments.csv", "code,name\nlegal,Legal\nit,IT\n")})

    assert check.status_code == 200
    assert check.context["summary"].departments.created == 1
    assert not Department.objects.filter(code="legal").exists()  # nothing written yet

    confirmed = client.post("/hr/import/confirm/", follow=True)
    assert Department.objects.filter(code="legal").exists()
    assert "departments: 1 created, 0 updated, 1 unchanged" in confirmed.content.decode()
    assert PENDING_IMPORT_KEY not in client.session


def test_upload_lists_every_error_and_writes_nothing(login, org):
    client = login(org.hr)

    response = client.post(
        "/hr/import/",
        {
            "employees": upload(
                "staff.csv", "email,first_name,last_name,department_code\nx,A,B,it\ny@x.example,C,D,mars\n"
            ),
        },
    )

    page = response.content.decode()
    assert "Nothing was imported: 2 problems to fix" in page
    assert "staff.csv:2: &#x27;x&#x27; is not a valid email address" in page
    assert "staff.csv:3: unknown department &#x27;mars&#x27;" in page
    assert PENDING_IMPORT_KEY not in client.session
    assert client.post("/hr/import/confirm/").status_code == 302  # nothing pending: back to the form


def test_upload_without_files_asks_for_one(login, org):
    response = login(org.hr).post("/hr/import/", {})

    assert "Choose at least one CSV file." in response.content.decode()


# --- bounded queries --------------------------------------------------------------------------


def grow(n_departments: int, people_each: int) -> None:
    """Add departments with charters, people and dependencies, to show queries do not grow with them."""
    previous = None
    for i in range(n_departments):
        department = DepartmentFactory(code=f"grown-{i}")
        ServiceParameterFactory.create_batch(3, department=department)
        EmployeeFactory.create_batch(people_each, department=department)
        if previous:
            DependencyFactory(consumer=department, provider=previous)
        previous = department
    department.head = department.employees.first()
    department.save()


@pytest.mark.parametrize("size", [(2, 1), (20, 5)])
@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("colleague", "/departments/"),
        ("colleague", "/departments/grown-1/"),
        ("colleague", "/my/surveys/"),
        ("head", "/my/department/"),
        ("hr", "/hr/"),
        ("hr", "/hr/departments/"),
        ("hr", "/hr/people/"),
        ("hr", "/departments/grown-1/charter/"),
    ],
)
def test_page_queries_do_not_grow_with_the_organisation(login, org, django_assert_max_num_queries, size, who, url):
    grow(*size)
    client = login(getattr(org, who))

    # The charter page also reads its awards and thank-you notes (one query each); HR's home its
    # KPIs needing attention and its overdue audits (one query each).
    with django_assert_max_num_queries(17 if url.endswith("grown-1/") or url == "/hr/" else 15):
        assert client.get(url).status_code == 200


def test_a_description_longer_than_todays_limit_does_not_block_an_unrelated_edit(client, org):
    from departments.models import DESCRIPTION_MAX_LENGTH

    Department.objects.filter(pk=org.it.pk).update(description="x" * (DESCRIPTION_MAX_LENGTH + 50))
    client.force_login(org.hr.user)
    data = {"name": "IT services", "description": "x" * (DESCRIPTION_MAX_LENGTH + 50), "head": "", "active": "on"}

    response = client.post("/departments/it/edit/", data)

    assert response.status_code == 302 and Department.objects.get(pk=org.it.pk).name == "IT services"
    response = client.post("/departments/it/edit/", data | {"description": "x" * (DESCRIPTION_MAX_LENGTH + 51)})
    assert (
        response.status_code == 200
        and Department.objects.get(pk=org.it.pk).description.count("x") == DESCRIPTION_MAX_LENGTH + 50
    )
