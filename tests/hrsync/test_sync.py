"""The sync task against a real folder and a real HTTP server: imports, the brake, errors, emails."""

from __future__ import annotations

import http.server
import io
import threading
import zipfile

import pytest
from django.core import mail

from departments.models import Department, Employee
from hrsync.models import SyncRun
from hrsync.services import ERRORS_KEPT, NotHeld, sync_confirm, sync_discard
from hrsync.tasks import hr_sync_task
from tests.factories import EmployeeFactory, make_cycle
from tests.hrsync.conftest import org_files


def org_state() -> tuple[list, list]:
    return (
        sorted(Employee.objects.values_list("user__username", "department__code", "active")),
        sorted(Department.objects.values_list("code", "name", "active")),
    )


def run_task() -> SyncRun:
    return SyncRun.objects.get(pk=hr_sync_task.delay().get())


def test_the_task_imports_a_moved_employee_and_a_new_department_from_the_folder(org, hr_folder):
    hr_folder(org_files(org, move={"colleague@example.com": "finance"}, extra_departments=[("finance", "Finance")]))

    run = run_task()

    assert run.status == SyncRun.Status.APPLIED and run.trigger == SyncRun.Trigger.SCHEDULE
    assert Employee.objects.get(user__username="colleague@example.com").department.code == "finance"
    assert Department.objects.get(code="finance").active
    assert run.changes["moved"] == [["colleague@example.com", "it", "finance"]]
    assert run.changes["new_departments"] == ["finance"]
    assert run.counts["departments"]["created"] == 1
    assert run.files == {}  # nothing kept once applied
    [email] = mail.outbox
    assert email.to == ["hr@example.com"] and "updated" in email.subject
    assert f"/hr/sync/{run.pk}/" in email.body and "1 employee moved" in email.body


def test_the_same_files_again_change_nothing(org, hr_folder):
    hr_folder(org_files(org))
    run_task()
    before = org_state()

    run = run_task()

    assert run.status == SyncRun.Status.UNCHANGED
    assert org_state() == before
    assert "no changes" in mail.outbox[-1].subject


def test_a_department_missing_from_the_file_is_removed(org, hr_folder):
    Employee.objects.filter(department=org.hr_dept).update(department=org.it)
    hr_folder(org_files(org, drop=("hr",), move={"hr@example.com": "it"}))

    run = run_task()

    assert run.status == SyncRun.Status.APPLIED
    assert not Department.objects.get(code="hr").active
    assert run.changes["removed_departments"] == ["hr"]


def test_a_broken_file_reports_every_error_as_file_line_and_touches_nothing(org, hr_folder):
    files = org_files(org)
    files["employees.csv"] += "new@example.com,New,Person,nowhere\nnot-an-email,A,B,it\n"
    hr_folder(files)
    before = org_state()

    run = run_task()

    assert run.status == SyncRun.Status.FAILED
    assert org_state() == before
    assert any(error.startswith("employees.csv:7:") and "nowhere" in error for error in run.errors)
    assert any(error.startswith("employees.csv:8:") for error in run.errors)
    [email] = mail.outbox
    assert "failed" in email.subject and "employees.csv:7:" in email.body


def test_a_department_still_holding_people_cannot_be_removed(org, hr_folder):
    hr_folder(org_files(org, drop=("hr",)))
    before = org_state()

    run = run_task()

    assert run.status == SyncRun.Status.FAILED
    assert run.errors == [
        "departments.csv: department 'hr' is not in the file, but 1 active employee(s) still belong to it"
    ]
    assert org_state() == before


def test_a_missing_folder_or_no_configuration_is_a_failed_run_with_the_reason(org, settings, tmp_path):
    settings.HR_SYNC_DIR, settings.HR_SYNC_URL = str(tmp_path / "nope"), ""
    assert "does not exist" in run_task().errors[0]
    settings.HR_SYNC_DIR = str(tmp_path)
    assert "No file to import" in run_task().errors[0]
    settings.HR_SYNC_DIR = ""
    assert "not configured" in run_task().errors[0]


def test_a_file_over_the_size_limit_is_refused(org, hr_folder, settings):
    settings.ORG_IMPORT_MAX_UPLOAD_MB = 0
    hr_folder(org_files(org))
    before = org_state()

    run = run_task()

    assert run.status == SyncRun.Status.FAILED and "larger than 0 MB" in run.errors[0]
    assert org_state() == before


# --- the brake -------------------------------------------------------------------------------------


def test_deactivating_more_than_the_limit_holds_the_run_and_writes_nothing(org, hr_folder):
    hr_folder(org_files(org, leave=("outsider@example.com",)))  # 1 of 5 active: 20 % > 10 %
    before = org_state()

    run = run_task()

    assert run.status == SyncRun.Status.HELD
    assert org_state() == before
    assert run.brake_reasons == [{"kind": "deactivate", "count": 1, "active": 5, "percent": 20.0, "limit": 10}]
    assert run.changes["deactivated"] == ["outsider@example.com"]
    [email] = mail.outbox
    assert "held" in email.subject
    assert "deactivate 1 of 5 active employees (20.0 %), more than the limit of 10 %" in email.body


def test_moving_more_than_the_limit_holds_the_run(org, hr_folder):
    hr_folder(org_files(org, move={"colleague@example.com": "sales", "outsider@example.com": "it"}))
    before = org_state()

    run = run_task()

    assert run.status == SyncRun.Status.HELD and org_state() == before
    assert run.brake_reasons == [{"kind": "move", "count": 2, "active": 5, "percent": 40.0, "limit": 20}]


def test_the_limits_are_settings(org, hr_folder, settings):
    settings.HR_SYNC_MAX_DEACTIVATE_PERCENT = 20
    hr_folder(org_files(org, leave=("outsider@example.com",)))

    assert run_task().status == SyncRun.Status.APPLIED
    assert not Employee.objects.get(user__username="outsider@example.com").active


def test_removing_a_department_of_an_open_cycle_holds_the_run(org, hr_folder, settings):
    settings.HR_SYNC_MAX_MOVE_PERCENT = 100
    make_cycle(org, status="open", name="Autumn")  # rates IT and Sales
    moves = {"outsider@example.com": "it", "sales.head@example.com": "it"}
    hr_folder(org_files(org, drop=("sales",), move=moves))
    before = org_state()

    run = run_task()

    assert run.status == SyncRun.Status.HELD and org_state() == before
    assert run.brake_reasons == [{"kind": "open_cycle", "code": "sales", "name": "Sales", "cycle": "Autumn"}]
    assert "remove the department Sales (sales), which is rated in the open cycle Autumn" in mail.outbox[0].body


def test_hr_confirms_a_held_run_and_its_stored_files_are_applied(org, hr_folder):
    hr_folder(org_files(org, leave=("outsider@example.com",)))
    run = run_task()
    hr_folder({})  # the folder is emptied: the confirmation uses the files stored with the run
    mail.outbox.clear()

    run = sync_confirm(run=run, user=org.hr.user)

    assert run.status == SyncRun.Status.CONFIRMED
    assert run.decided_by == org.hr.user and run.decided_at is not None
    assert not Employee.objects.get(user__username="outsider@example.com").active
    assert run.files == {}
    assert "confirmed" in mail.outbox[0].subject


def test_a_confirmation_applies_the_files_to_todays_data(org, hr_folder):
    """Someone added in the portal after the run is not in the HR system's files: deactivated too."""
    hr_folder(org_files(org, leave=("outsider@example.com",)))
    run = run_task()
    EmployeeFactory(department=org.sales, user__email="added.later@example.com")

    run = sync_confirm(run=run, user=org.hr.user)

    assert run.status == SyncRun.Status.CONFIRMED
    assert run.changes["deactivated"] == ["added.later@example.com", "outsider@example.com"]
    assert not Employee.objects.filter(active=True, user__username__in=run.changes["deactivated"]).exists()


def test_hr_discards_a_held_run_and_nothing_changes(org, hr_folder):
    hr_folder(org_files(org, leave=("outsider@example.com",)))
    run = run_task()
    before = org_state()

    run = sync_discard(run=run, user=org.hr.user)

    assert run.status == SyncRun.Status.DISCARDED and run.decided_by == org.hr.user
    assert org_state() == before and run.files == {}
    with pytest.raises(NotHeld):
        sync_confirm(run=run, user=org.hr.user)
    assert org_state() == before


def test_a_newer_run_supersedes_a_held_one(org, hr_folder):
    hr_folder(org_files(org, leave=("outsider@example.com",)))
    held = run_task()
    hr_folder(org_files(org))

    newer = run_task()

    held.refresh_from_db()
    assert held.status == SyncRun.Status.SUPERSEDED and held.files == {}
    assert newer.status == SyncRun.Status.UNCHANGED or newer.status == SyncRun.Status.APPLIED
    with pytest.raises(NotHeld):
        sync_confirm(run=held, user=org.hr.user)
    assert Employee.objects.get(user__username="outsider@example.com").active


# --- from an address -------------------------------------------------------------------------------


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"export/{name}", text)
    return buffer.getvalue()


@pytest.fixture
def hr_server(settings):
    """A real HTTP server on 127.0.0.1 serving `state["body"]` to requests with the right token."""
    state: dict = {"body": b"", "headers": []}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            state["headers"].append(self.headers.get("Authorization"))
            if self.headers.get("Authorization") != "Bearer s3cret":
                self.send_response(401)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(state["body"])))
            self.end_headers()
            self.wfile.write(state["body"])

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.HR_SYNC_DIR = ""
    settings.HR_SYNC_URL = f"http://127.0.0.1:{server.server_address[1]}/export.zip"
    settings.HR_SYNC_ALLOW_LOOPBACK_HTTP = True
    settings.HR_SYNC_AUTH_HEADER = "Authorization: Bearer s3cret"
    yield state
    server.shutdown()
    server.server_close()


def test_the_task_imports_from_an_address_with_its_authorisation_header(org, hr_server):
    hr_server["body"] = zip_of(
        org_files(org, move={"colleague@example.com": "finance"}, extra_departments=[("finance", "Finance")])
    )

    run = run_task()

    assert run.status == SyncRun.Status.APPLIED, run.errors
    assert hr_server["headers"] == ["Bearer s3cret"]
    assert Employee.objects.get(user__username="colleague@example.com").department.code == "finance"
    assert "s3cret" not in run.source


def test_a_refusing_server_or_a_body_that_is_no_zip_is_a_failed_run(org, hr_server, settings):
    before = org_state()
    settings.HR_SYNC_AUTH_HEADER = "Authorization: Bearer wrong"
    assert run_task().errors == ["HR_SYNC_URL: the server answered 401."]
    settings.HR_SYNC_AUTH_HEADER = "Authorization: Bearer s3cret"
    hr_server["body"] = b"email,first_name\n"
    assert run_task().errors == ["HR_SYNC_URL: the answer is not a zip archive of CSV files."]
    assert org_state() == before


def test_plain_http_is_refused_unless_allowed_for_this_machine(org, hr_server, settings):
    hr_server["body"] = zip_of(org_files(org))
    settings.HR_SYNC_ALLOW_LOOPBACK_HTTP = False
    assert run_task().errors == ["HR_SYNC_URL must be an https:// address."]
    assert hr_server["headers"] == []  # never asked
    settings.HR_SYNC_ALLOW_LOOPBACK_HTTP = True
    settings.HR_SYNC_URL = "http://hr.example.com/export.zip"
    assert run_task().errors == ["HR_SYNC_URL must be an https:// address."]


def test_both_sources_at_once_is_a_configuration_error(org, hr_folder, settings):
    settings.HR_SYNC_URL = "https://hr.example.com/export.zip"
    assert "set only one" in run_task().errors[0]


def test_a_file_broken_on_every_line_keeps_the_first_errors_and_counts_the_rest(org, hr_folder):
    files = org_files(org)
    files["employees.csv"] += "".join(f"p{n}@example.com,P,Q,nowhere\n" for n in range(ERRORS_KEPT + 5))
    hr_folder(files)

    run = run_task()

    assert len(run.errors) == ERRORS_KEPT + 1
    assert run.errors[-1] == "… and 5 more errors."


def test_the_run_never_records_a_password_or_token_from_the_address(org, settings):
    settings.HR_SYNC_DIR = ""
    settings.HR_SYNC_URL = "http://hr:secret@hr.example.com:8443/export.zip?token=abc"  # refused unread

    run = run_task()

    assert run.source == "http://hr.example.com:8443/export.zip"
    assert run.errors == ["HR_SYNC_URL must be an https:// address."]
