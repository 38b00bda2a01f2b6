from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from survey_portal.csvfiles import CsvFile, ImportFailed
from surveys.models import Answer, Cycle, CycleParameter, Response
from surveys.past_import import responses_import

HEADER = "response_id,rater_department,provider_department,parameter,score,comment_good,comment_improve\n"
GOOD = (
    HEADER
    + "a,sales,it,responsiveness,4,Quick,\n"
    + "a,sales,it,quality,,,Test more\n"
    + "b,hr,it,responsiveness,2,,\n"
    + "b,hr,it,quality,5,,\n"
)


def run(text: str, **options):
    return responses_import(
        file=CsvFile("past.csv", text.encode()),
        name=options.pop("name", "Q3 2025"),
        opens=options.pop("opens", date(2025, 9, 1)),
        closes=options.pop("closes", date(2025, 9, 14)),
        **options,
    )


def test_past_results_become_a_closed_imported_cycle(org):
    result = run(GOOD)

    cycle = result.cycle
    assert (cycle.status, cycle.imported, cycle.score_threshold, cycle.comment_threshold) == ("closed", True, 5, 10)
    assert (result.responses, result.ratings) == (2, 4)
    assert set(CycleParameter.objects.filter(cycle=cycle).values_list("department__code", "code")) == {
        ("it", "responsiveness"),
        ("it", "quality"),
    }
    rows = {
        (
            r.rater_department.code,
            r.comment_good,
            r.comment_improve,
            tuple(sorted((a.parameter.code, a.score) for a in r.answers.all())),
        )
        for r in Response.objects.filter(cycle=cycle)
        .select_related("rater_department")
        .prefetch_related("answers__parameter")
    }
    assert rows == {
        ("sales", "Quick", "Test more", (("quality", None), ("responsiveness", 4))),
        ("hr", "", "", (("quality", 5), ("responsiveness", 2))),
    }


ERRORS = [
    ("a,sales,nowhere,responsiveness,4,,\n", "past.csv:2: unknown department 'nowhere' in provider_department"),
    ("a,sales,it,responsiveness,6,,\n", "past.csv:2: score '6' is not a whole number from 1 to 5 (or empty)"),
    ("a,sales,it,responsiveness,4.5,,\n", "past.csv:2: score '4.5' is not a whole number from 1 to 5 (or empty)"),
    ("a,sales,it,uptime,4,,\n", "past.csv:2: 'uptime' is not a parameter of 'it''s charter"),
    ("a,it,it,responsiveness,4,,\n", "past.csv:2: department 'it' cannot rate itself"),
    (
        "a,sales,it,responsiveness,4,,\na,hr,it,quality,4,,\n",
        "past.csv:3: response 'a' is hr → it here but sales → it on line 2",
    ),
    ("a,sales,it,quality,4,,\na,sales,it,quality,3,,\n", "past.csv:3: response 'a' rates 'quality' twice"),
    (
        "a,sales,it,quality,4,Nice,\na,sales,it,responsiveness,3,Great,\n",
        "past.csv:3: comment_good differs from line 2 of the same response",
    ),
    (",sales,it,quality,4,,\n", "past.csv:2: response_id is empty"),
]


@pytest.mark.parametrize(("rows", "expected"), ERRORS)
def test_bad_rows_are_reported_and_nothing_is_written(org, rows, expected):
    with pytest.raises(ImportFailed) as failure:
        run(HEADER + rows)

    assert expected in failure.value.errors
    assert not Cycle.objects.exists() and not Response.objects.exists() and not Answer.objects.exists()


def test_cycle_options_are_checked_too(org):
    run(GOOD)

    with pytest.raises(ImportFailed) as failure:
        run("response_id,score\n", closes=date(2025, 8, 1), threshold=2, comment_threshold=1)

    assert failure.value.errors == [
        "--cycle: a cycle named 'Q3 2025' exists already",
        "--closes: 2025-08-01 is before --opens 2025-09-01",
        "--threshold: at least 3, smaller groups would expose people",
        "--comment-threshold: must be at least --threshold",
        "past.csv:1: missing required column 'rater_department'",
        "past.csv:1: missing required column 'provider_department'",
        "past.csv:1: missing required column 'parameter'",
    ]
    assert Cycle.objects.count() == 1


def test_the_command_imports_and_reports(org, tmp_path, capsys):
    (tmp_path / "past.csv").write_text(GOOD)

    call_command(
        "import_responses", str(tmp_path / "past.csv"),
        "--cycle", "Q3 2025", "--opens", "2025-09-01", "--closes", "2025-09-14", "--threshold", "4",
    )  # fmt: skip

    assert "Imported “Q3 2025” (closed): 2 responses, 4 ratings." in capsys.readouterr().out
    assert Cycle.objects.get().score_threshold == 4


def test_the_command_lists_errors_and_fails(org, tmp_path, capsys):
    (tmp_path / "past.csv").write_text(HEADER + "a,sales,it,responsiveness,9,,\n")

    with pytest.raises(CommandError, match="Nothing was imported: 1 error"):
        call_command(
            "import_responses", str(tmp_path / "past.csv"), "--cycle=X", "--opens=2025-09-01", "--closes=2025-09-14"
        )

    assert "past.csv:2: score '9'" in capsys.readouterr().err
    assert not Cycle.objects.exists()


INVITED = "rater_department,provider_department,invited\nsales,it,3\nhr,it,4\n"


def test_invited_counts_given_with_past_results_become_its_participation(org, login):
    from scorecards.models import Participation
    from scorecards.services import cycle_aggregate

    cycle = run(GOOD, invited=CsvFile("invited.csv", INVITED.encode())).cycle
    cycle_aggregate(cycle_id=cycle.pk)

    rated = Participation.objects.get(cycle=cycle, department__code="it", role=Participation.Role.RATED)
    assert (rated.invited, rated.completed, rated.declined) == (7, 2, 0)
    sales = Participation.objects.get(cycle=cycle, department__code="sales", role=Participation.Role.RATER)
    assert (sales.invited, sales.completed) == (3, 1)
    page = login(org.hr).get(f"/hr/cycles/{cycle.pk}/").content.decode()
    assert "29%</strong> answered" in page and "participation was not given" not in page


@pytest.mark.parametrize(
    ("invited", "error"),
    [
        (
            "rater_department,provider_department,invited\nsales,it,3\n",
            "invited.csv: no invited count for hr → it, which has 1 responses",
        ),
        (INVITED + "sales,catering,2\n", "invited.csv:4: unknown department 'catering' in provider_department"),
        (INVITED.replace(",3", ",three"), "invited.csv:2: invited 'three' is not a whole number of people"),
        (INVITED.replace(",4", ",0"), "invited.csv:3: 0 invited from hr to rate it, but 1 responses"),
        (INVITED + "sales,it,5\n", "invited.csv:4: sales → it is listed already, on line 2"),
        ("rater_department,invited\nsales,3\n", "invited.csv:1: missing required column 'provider_department'"),
    ],
)
def test_bad_invited_counts_are_listed_and_nothing_is_imported(org, invited, error):
    with pytest.raises(ImportFailed) as failure:
        run(GOOD, invited=CsvFile("invited.csv", invited.encode()))

    assert any(e.startswith(error) for e in failure.value.errors), failure.value.errors
    assert not Cycle.objects.exists() and not Response.objects.exists()


@pytest.mark.parametrize(
    ("invited", "error"),
    [
        ("rater_department,provider_department,invited\n", "invited.csv: has no invited counts"),
        (INVITED + "it,it,2\n", "invited.csv:4: department 'it' cannot rate itself"),
    ],
)
def test_an_empty_invited_file_or_a_self_pair_is_refused(org, invited, error):
    with pytest.raises(ImportFailed) as failure:
        run(GOOD, invited=CsvFile("invited.csv", invited.encode()))

    assert any(e.startswith(error) for e in failure.value.errors), failure.value.errors
    assert not Cycle.objects.exists()
