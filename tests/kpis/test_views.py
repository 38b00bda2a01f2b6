from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test.utils import override_settings
from django.utils import timezone

from departments.models import Delegate, Department, ServiceParameter
from improvements.models import ActionItem
from kpis.demo import DEMO_KPIS, seed_kpis
from kpis.models import Kpi, KpiBreach, KpiValue
from kpis.views import PENDING_KPI_IMPORT_KEY
from tests.factories import DepartmentFactory, EmployeeFactory, ServiceParameterFactory, kpi_post, make_kpi, upload

HEADER = "department_code,kpi_code,period_start,period_end,value\n"
SAMPLES = Path(__file__).resolve().parents[2] / "kpis" / "samples"


@pytest.fixture
def kpi(org):
    return make_kpi(org.it, values=[(date(2026, 3, 1), date(2026, 3, 31), 93)])


# --- the department's page --------------------------------------------------------------------


def test_every_member_reads_a_departments_kpis_with_latest_value_and_status(kpi, org, as_):
    page = as_(org.outsider).get("/departments/it/kpis/").content.decode()
    assert "Tickets resolved within 2 working days" in page and "93 %" in page and "Meets" in page
    assert "at least 90 %" in page and "Mar 2026" in page
    assert "Add a KPI" not in page and "Upload values" not in page and "/kpis/new/" not in page


def test_the_head_sees_how_to_add_edit_and_upload_and_an_empty_state_says_who_adds(org, as_):
    page = as_(org.head).get("/departments/it/kpis/").content.decode()
    assert "has no measured service levels yet" in page and "Add a KPI" in page and "Upload values" in page
    page = as_(org.colleague).get("/departments/it/kpis/").content.decode()
    assert "Its head and HR add them to the charter." in page


def test_the_head_adds_a_kpi_tied_to_a_parameter_of_their_charter(org, as_):
    responsiveness = org.it.parameters.get(code="responsiveness")
    response = as_(org.head).post("/departments/it/kpis/new/", kpi_post(parameter=responsiveness.pk))
    assert response.status_code == 302 and response["Location"] == "/departments/it/kpis/"
    kpi = Kpi.objects.get()
    assert (kpi.department, kpi.code, kpi.unit, kpi.direction, kpi.agreed, kpi.warning, kpi.parameter) == (
        org.it,
        "first-answer",
        "hours",
        "lower",
        4,
        3,
        responsiveness,
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"parameter": "sales"}, "parameter", "Select a valid choice"),
        ({"code": "tickets-2-days"}, "code", "Another KPI of this department already uses this code."),
        ({"unit": "percent", "direction": "higher", "agreed": "101", "warning": ""}, "agreed", "between 0 and 100"),
        ({"warning": "5"}, "warning", "below the agreed level"),
        ({"direction": "higher", "warning": "3"}, "warning", "above the agreed level"),
    ],
)
def test_a_kpi_form_refuses_what_does_not_fit_and_writes_nothing(kpi, org, as_, changes, field, message):
    if changes.get("parameter") == "sales":
        changes = {"parameter": org.sales.parameters.get().pk}
    response = as_(org.head).post("/departments/it/kpis/new/", kpi_post(**changes))
    assert response.status_code == 200 and message in str(response.context["form"].errors[field])
    assert Kpi.objects.count() == 1


def test_editing_retires_a_kpi_instead_of_deleting_it(kpi, org, as_):
    post = kpi_post(name=kpi.name, code=kpi.code, unit="percent", direction="higher", agreed="90", warning="")
    response = as_(org.hr).post(f"/departments/it/kpis/{kpi.pk}/", post)  # "active" unticked
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert not kpi.active and kpi.values.count() == 1
    page = as_(org.head).get("/departments/it/kpis/").content.decode()
    assert "Retired KPIs" in page and "has no measured service levels yet" in page


def test_a_kpi_of_another_department_is_404_and_only_hr_and_the_head_edit(kpi, org, as_):
    assert as_(org.outsider_head).get(f"/departments/sales/kpis/{kpi.pk}/").status_code == 404
    assert as_(org.outsider_head).get(f"/departments/it/kpis/{kpi.pk}/").status_code == 403
    assert as_(org.colleague).post(f"/departments/it/kpis/{kpi.pk}/", kpi_post()).status_code == 403
    assert Kpi.objects.get().name == "Tickets resolved within 2 working days"


# --- the upload: check, then confirm ----------------------------------------------------------


def test_an_upload_shows_the_dry_run_summary_then_imports_on_confirmation(kpi, org, as_):
    client = as_(org.head)
    text = HEADER + "it,tickets-2-days,2026-03-01,2026-03-31,94\nit,tickets-2-days,2026-04-01,2026-04-30,95\n"
    page = client.post("/kpis/upload/", {"kpi_values": upload("march.csv", text)}).content.decode()
    assert 'id="import-summary"' in page and "<td>1</td><td>1</td><td>0</td>" in page.replace("\n", "")
    assert KpiValue.objects.count() == 1 and PENDING_KPI_IMPORT_KEY in client.session

    response = client.post("/kpis/upload/confirm/", follow=True)
    assert "The KPI values were imported: 1 new, 1 replaced, 0 unchanged." in response.content.decode()
    assert sorted(KpiValue.objects.values_list("value", flat=True)) == [94, 95]
    assert PENDING_KPI_IMPORT_KEY not in client.session


def test_an_upload_with_errors_shows_every_one_and_keeps_nothing_waiting(kpi, org, as_):
    client = as_(org.hr)
    text = HEADER + "it,tickets-2-days,2026-04-01,2026-04-30,140\nit,nope,2026-04-01,2026-04-30,90\n"
    page = client.post("/kpis/upload/", {"kpi_values": upload("april.csv", text)}).content.decode()
    assert "Nothing was imported: 2 problems to fix" in page
    assert "april.csv:2: value 140 is outside 0–100" in page
    assert "april.csv:3: kpi_code &#x27;nope&#x27; is not a KPI of department &#x27;it&#x27;" in page
    assert PENDING_KPI_IMPORT_KEY not in client.session
    response = client.post("/kpis/upload/confirm/", follow=True)
    assert "There is no checked file waiting" in response.content.decode() and KpiValue.objects.count() == 1


def test_an_upload_larger_than_the_limit_is_refused_unread(kpi, org, as_, settings):
    settings.ORG_IMPORT_MAX_UPLOAD_MB = 1
    text = HEADER + "it,tickets-2-days,2026-04-01,2026-04-30,95\n" * 30_000
    page = as_(org.head).post("/kpis/upload/", {"kpi_values": upload("big.csv", text)}).content.decode()
    assert "This file is larger than 1 MB." in page and 'id="import-summary"' not in page
    assert KpiValue.objects.count() == 1


def test_a_head_uploads_for_their_own_department_only_and_hr_for_any(kpi, org, as_):
    make_kpi(org.sales, code="orders", agreed=95)
    text = HEADER + "sales,orders,2026-04-01,2026-04-30,96\n"
    page = as_(org.head).post("/kpis/upload/", {"kpi_values": upload("v.csv", text)}).content.decode()
    assert "v.csv:2: you cannot upload values for department &#x27;sales&#x27;" in page
    page = as_(org.hr).post("/kpis/upload/", {"kpi_values": upload("v.csv", text)}).content.decode()
    assert 'id="import-summary"' in page


def test_a_delegate_uploads_for_the_department_they_act_for(kpi, org, as_):
    delegate = EmployeeFactory(department=org.it)
    Delegate.objects.create(department=org.it, employee=delegate)
    text = HEADER + "it,tickets-2-days,2026-04-01,2026-04-30,96\n"
    client = as_(delegate)
    assert (
        'id="import-summary"' in client.post("/kpis/upload/", {"kpi_values": upload("v.csv", text)}).content.decode()
    )
    assert client.post("/kpis/upload/confirm/").status_code == 302 and KpiValue.objects.count() == 2
    assert as_(org.colleague).get("/kpis/upload/").status_code == 403


def test_the_confirmation_checks_again_what_changed_since(kpi, org, as_):
    client = as_(org.head)
    text = HEADER + "it,tickets-2-days,2026-04-01,2026-04-30,96\n"
    client.post("/kpis/upload/", {"kpi_values": upload("v.csv", text)})
    Kpi.objects.filter(pk=kpi.pk).update(active=False)
    page = client.post("/kpis/upload/confirm/").content.decode()
    assert "v.csv:2: kpi_code &#x27;tickets-2-days&#x27; of department &#x27;it&#x27; is deactivated" in page
    assert KpiValue.objects.count() == 1


# --- HR's view ---------------------------------------------------------------------------------


def test_hr_lists_kpis_missing_last_period_and_below_with_links(org, as_):
    last_month_end = timezone.localdate().replace(day=1) - timedelta(days=1)
    last_month = (last_month_end.replace(day=1), last_month_end)
    make_kpi(org.it, code="fine", name="Laptops ready on day one", values=[(*last_month, 99)])
    make_kpi(org.it, code="below", name="Tickets closed in time", values=[(*last_month, 70)])
    make_kpi(org.sales, code="late", name="Quotes sent in a day")
    page = as_(org.hr).get("/hr/kpis/").content.decode()
    assert "Laptops ready on day one" not in page
    assert "Tickets closed in time" in page and "70 %" in page and "Below" in page
    assert "Quotes sent in a day" in page and "Missing" in page and f"no value for {last_month[0]:%b %Y}" in page
    assert 'href="/departments/sales/kpis/"' in page and 'href="/kpis/upload/"' in page
    assert page.index("Quotes sent in a day") < page.index("Tickets closed in time")


def test_hr_view_is_paginated_with_constant_queries(org, as_, django_assert_max_num_queries):
    client = as_(org.hr)
    for size in (3, 30):
        Kpi.objects.all().delete()
        for n in range(size):
            make_kpi(org.it, code=f"kpi-{n}", values=[(date(2026, 1, 1), date(2026, 1, 31), 50)])
        with django_assert_max_num_queries(9):
            page = client.get("/hr/kpis/").content.decode()
        assert page.count('href="/departments/it/kpis/"') == min(size, 25)
    assert "Page 1 of 2" in page


def test_department_page_queries_stay_constant(org, as_, django_assert_max_num_queries):
    client = as_(org.outsider)
    for size in (2, 20):
        Kpi.objects.all().delete()
        for n in range(size):
            make_kpi(
                org.it, code=f"kpi-{n}", values=[(date(2026, m, 1), date(2026, m, 28), 90 + m) for m in range(1, 10)]
            )
        with django_assert_max_num_queries(10):
            page = client.get("/departments/it/kpis/").content.decode()
        assert page.count("<caption") == size


# --- the command ---------------------------------------------------------------------------------


def test_the_command_imports_a_file_and_reports_every_error_of_a_broken_one(kpi, org, tmp_path):
    good = tmp_path / "values.csv"
    good.write_text(HEADER + "it,tickets-2-days,2026-04-01,2026-04-30,94\n")
    out = io.StringIO()
    call_command("import_kpis", str(good), "--dry-run", stdout=out)
    assert out.getvalue().strip() == "Dry run, nothing written: 1 new, 0 replaced, 0 unchanged"
    assert KpiValue.objects.count() == 1
    call_command("import_kpis", str(good), stdout=out)
    assert KpiValue.objects.count() == 2

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "it,tickets-2-days,2026-05-01,2026-05-31,94\nit,tickets-2-days,2026-05-01,2026-05-31,94\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 error"):
        call_command("import_kpis", str(bad), stderr=err)
    assert err.getvalue().startswith("bad.csv:3: duplicate row for KPI 'tickets-2-days'")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_kpis", str(tmp_path / "missing.csv"))


# --- the demo and its sample files ----------------------------------------------------------------


@pytest.fixture
def demo_departments(db):
    """The demo's departments with the charter parameters its KPIs name, and a head each."""
    for code in {row[0] for row in DEMO_KPIS}:
        department = DepartmentFactory(code=code, name=code.replace("-", " ").title())
        for row in DEMO_KPIS:
            if row[0] == code and not department.parameters.filter(code=row[7]).exists():
                ServiceParameterFactory(department=department, code=row[7])
        department.head = EmployeeFactory(department=department)
        department.save()


def test_the_demo_gives_a_year_of_values_breaches_once_and_a_missing_month(demo_departments):
    today = date(2026, 11, 30)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        lines = seed_kpis(today=today)
        again = seed_kpis(today=today)
    assert "108 new" not in lines[0] and "107 new" in lines[0] and "107 unchanged" in again[0]
    assert Kpi.objects.filter(parameter__isnull=False).count() == len(DEMO_KPIS)

    it_tickets = Kpi.objects.get(department__code="it", code="tickets-2-days")
    assert it_tickets.values.count() == 12 and it_tickets.parameter.code == "responsiveness"
    assert it_tickets.status_of(it_tickets.values.latest("period_end").value) == "meets"
    assert not Kpi.objects.get(code="requests-3-days").values.filter(period_start=date(2026, 10, 1)).exists()

    breached = set(KpiBreach.objects.values_list("kpi__department__code", flat=True))
    assert breached == {"hr", "finance", "customer-service"}
    assert ActionItem.objects.filter(kpi_breaches__isnull=False).count() == 3 == len(mail.outbox)


def test_the_sample_files_import_and_fail_as_the_readme_says(demo_departments):
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        seed_kpis(today=date(2026, 11, 30))
    out = io.StringIO()
    call_command("import_kpis", str(SAMPLES / "kpi_values.csv"), "--dry-run", stdout=out)
    assert "1 new, 2 replaced, 1 unchanged" in out.getvalue()
    err = io.StringIO()
    with pytest.raises(CommandError, match="8 error"):
        call_command("import_kpis", str(SAMPLES / "kpi_values_broken.csv"), stderr=err)
    assert Department.objects.count() == 6 and ServiceParameter.objects.exists()
