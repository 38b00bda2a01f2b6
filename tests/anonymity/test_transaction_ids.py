"""Attack 1: transaction ids. The submit stamps its xmin on the invitation it completes; the release
stamps its own on the responses it writes. An attacker with a copy of the database (no key, no
extension needed for the live rows; pageinspect for the dead ones) matches the two. The strongest
form reads every version of each invitation: the release that cleared its waiting answers (a null
in the version it wrote, where the one before held them) says which batch took them."""

from __future__ import annotations

import itertools
from collections import defaultdict

from django.db import connection
from django.urls import reverse

from surveys.models import Invitation, Response
from tests.scenarios import K, build_scenario


def _live_rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _every_version(table: str) -> list[tuple[int, int, str | None, bytes]]:
    """(xmin, xmax, null bitmap, data) of every row version in `table`'s heap, dead ones included."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table])
        pages = cursor.fetchone()[0]
        versions = []
        for page in range(pages):
            cursor.execute(
                "SELECT t_xmin::text::bigint, t_xmax::text::bigint, t_bits, t_data"
                " FROM heap_page_items(get_raw_page(%s, %s)) WHERE t_data IS NOT NULL",
                [table, page],
            )
            versions += [(xmin, xmax, bits, bytes(data)) for xmin, xmax, bits, data in cursor.fetchall()]
        return versions


def _attribute_number(table: str, column: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attnum FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s", [table, column]
        )
        row = cursor.fetchone()
    return row[0] if row else None


def attacker_groups(cycle) -> tuple[dict[int, int], int]:
    """For each completed invitation, how many released responses the attacker is left with when
    trying to tell which one its author wrote (the smallest over every channel tried); and for how
    many invitations the dead versions named the release that took the answers."""
    table = Invitation._meta.db_table
    invitations = _live_rows(
        f"SELECT id, department_id, rater_department_id, xmin::text::bigint FROM {table}"
        " WHERE cycle_id = %s AND status = 'completed'",
        [cycle.pk],
    )
    releases: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)  # pair -> release xid -> responses
    for department, rater, xmin, count in _live_rows(
        f"SELECT department_id, rater_department_id, xmin::text::bigint, COUNT(*) FROM {Response._meta.db_table}"
        " WHERE cycle_id = %s GROUP BY 1, 2, 3",
        [cycle.pk],
    ):
        releases[department, rater][xmin] = count

    # Dead row versions: the version that first holds no waiting answers after one that did was
    # written by the release that took them.
    answers_column = _attribute_number(table, "answers_sealed")
    versions: dict[int, list[tuple[int, bool]]] = defaultdict(list)  # id -> (xmin, holds answers)
    for xmin, _xmax, bits, data in _every_version(table) if answers_column else ():
        holds = bits is None or bits[answers_column - 1] == "1"
        versions[int.from_bytes(data[:8], "little", signed=True)].append((xmin, holds))
    released_by = {}
    for invitation_id, history in versions.items():
        history.sort()
        for (_, before), (xmin, now) in itertools.pairwise(history):
            if before and not now:
                released_by[invitation_id] = xmin

    groups = {}
    for invitation_id, department, rater, xmin in invitations:
        pair = releases.get((department, rater), {})
        candidates = []
        # Live rows: the first release of the pair at or after the invitation's stamp.
        later = sorted(x for x in pair if x >= xmin)
        if later:
            candidates.append(pair[later[0]])
        # Dead rows: the release that took its answers.
        if released_by.get(invitation_id) in pair:
            candidates.append(pair[released_by[invitation_id]])
        if candidates:
            groups[invitation_id] = min(candidates)
    return groups, len(released_by)


def assert_nobody_is_singled_out(cycle) -> int:
    completed_per_pair = defaultdict(int)
    pair_of = {}
    for pk, department, rater in Invitation.objects.filter(cycle=cycle, status="completed").values_list(
        "pk", "department_id", "rater_department_id"
    ):
        completed_per_pair[department, rater] += 1
        pair_of[pk] = (department, rater)
    groups, named = attacker_groups(cycle)
    exposed = {pk: size for pk, size in groups.items() if size < min(K, completed_per_pair[pair_of[pk]])}
    assert not exposed, f"{len(exposed)} of {len(groups)} responses narrowed below their group: {exposed}"
    return len(groups), named


def test_transaction_ids_never_narrow_a_response_below_its_group(postgresql):
    scenario = build_scenario()
    invitations = scenario.invitations()
    scenario.rng.shuffle(invitations)
    for invitation in invitations[: len(invitations) * 9 // 10]:
        scenario.answer(invitation)

    assert_nobody_is_singled_out(scenario.cycle)  # while the cycle is open

    hr = scenario.hr_client()
    assert hr.post(reverse("surveys:cycle_close", args=[scenario.cycle.pk])).status_code == 302
    attacked, named = assert_nobody_is_singled_out(scenario.cycle)
    # Every response was released and attacked; the dead versions (those page pruning left) named
    # the release that took many of them.
    assert attacked == len(scenario.submitted) and named > len(scenario.submitted) // 2

    with connection.cursor() as cursor:
        for model in (Invitation, Response):
            cursor.execute(f"VACUUM FREEZE {model._meta.db_table}")
    assert_nobody_is_singled_out(scenario.cycle)
