"""The value chain: whom a department ultimately serves, following who serves whom to the front line.

A dependency is an arrow from the provider to the consumer it serves. A department reaches a
front-line department (one serving external customers) when a chain of such arrows leads from it
there. Inactive departments are left out, as if they and their arrows were not there.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from .models import Department, Dependency


@dataclass
class Graph:
    """Active departments that take part in a dependency (only the fields the chain needs: pk,
    code, name, front_line), and who serves whom among them."""

    nodes: dict[int, Department]
    consumers: dict[int, list[int]]  # provider id -> consumer ids, by consumer name

    def front_line_ids(self) -> set[int]:
        return {pk for pk, node in self.nodes.items() if node.front_line}


def chain_graph() -> Graph:
    """Every dependency between two active departments, in one query (the arrows and the flags)."""
    return _graph(_read(Q(provider__active=True, consumer__active=True)))


def _read(condition: Q) -> list[tuple[Department, Department]]:
    """(provider, consumer) of the dependencies matching `condition`, each department with only
    the fields the chain needs (pk, code, name, front_line, active): one query."""
    rows = (
        Dependency.objects.filter(condition)
        .values_list(
            "provider_id",
            "provider__code",
            "provider__name",
            "provider__front_line",
            "provider__active",
            "consumer_id",
            "consumer__code",
            "consumer__name",
            "consumer__front_line",
            "consumer__active",
        )
        .order_by()
    )
    departments: dict[int, Department] = {}  # one instance per department, however many arrows it has

    def department(pk: int, code: str, name: str, front_line: bool, active: bool) -> Department:
        if pk not in departments:
            departments[pk] = Department(pk=pk, code=code, name=name, front_line=front_line, active=active)
        return departments[pk]

    return [(department(*row[:5]), department(*row[5:])) for row in rows]


def _graph(pairs: list[tuple[Department, Department]]) -> Graph:
    """The graph of the pairs between two active departments."""
    nodes: dict[int, Department] = {}
    edges: list[tuple[int, int]] = []
    for provider, consumer in pairs:
        if provider.active and consumer.active:
            nodes.setdefault(provider.pk, provider)
            nodes.setdefault(consumer.pk, consumer)
            edges.append((provider.pk, consumer.pk))
    return Graph(nodes, consumers_of(edges, nodes))


def consumers_of(edges: Iterable[tuple[int, int]], nodes: dict[int, Department]) -> dict[int, list[int]]:
    """provider id -> its consumers' ids, sorted by name then id: among paths of equal length, the
    one through the alphabetically first departments is the one shown, every time."""
    consumers: dict[int, list[int]] = {}
    for provider_id, consumer_id in edges:
        consumers.setdefault(provider_id, []).append(consumer_id)
    for ids in consumers.values():
        ids.sort(key=lambda pk: (nodes[pk].name.casefold(), pk))
    return consumers


def shortest_paths(start: int, consumers: dict[int, list[int]], targets: set[int]) -> dict[int, list[int]]:
    """Breadth-first from `start` along provider → consumer arrows: for each of the `targets`
    reached, the shortest path of ids from `start` to it (both included). `start` itself is never
    among the results. Cycles (A serves B serves A) end where a department was already visited."""
    parent: dict[int, int] = {start: start}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        for consumer in consumers.get(current, ()):
            if consumer not in parent:
                parent[consumer] = current
                queue.append(consumer)
    paths: dict[int, list[int]] = {}
    for target in parent.keys() & targets - {start}:
        path = [target]
        while path[-1] != start:
            path.append(parent[path[-1]])
        paths[target] = path[::-1]
    return paths


@dataclass(frozen=True)
class Reach:
    """A front-line department a department ultimately serves, and the shortest chain leading there."""

    front_line: Department
    path: list[Department]  # from the department to `front_line`, both included

    @property
    def through(self) -> list[Department]:
        """The departments between the two (none when it serves the front-line department directly)."""
        return self.path[1:-1]


def reach_in(graph: Graph, department_id: int) -> list[Reach]:
    """The front-line departments `department_id` reaches in `graph`, nearest first, then by name."""
    paths = shortest_paths(department_id, graph.consumers, graph.front_line_ids())
    reaches = [Reach(graph.nodes[target], [graph.nodes[pk] for pk in path]) for target, path in paths.items()]
    return sorted(reaches, key=lambda r: (len(r.path), r.front_line.name.casefold(), r.front_line.pk))


def front_line_reach(department: Department) -> list[Reach]:
    """The front-line departments this department ultimately serves, each with its shortest path
    ("IT → Finance → Sales"), in one query. A front-line department is not listed as reaching itself
    (it serves external customers directly); an inactive one reaches nothing."""
    return chain_of(department).reach


@dataclass
class Chain:
    """A department's place in the value chain, as its charter page shows it."""

    providers: list[Department]  # active departments it depends on, by name
    consumers: list[Department]  # active departments it serves, by name
    reach: list[Reach]  # the front-line departments it ultimately serves (none when it is inactive)


def chain_of(department: Department) -> Chain:
    """Whom the department depends on, whom it serves, and whom it ultimately serves, in one query:
    every dependency between active departments, and the department's own (even if it is inactive)."""
    pairs = _read(
        Q(provider__active=True, consumer__active=True)
        | Q(provider=department, consumer__active=True)
        | Q(consumer=department, provider__active=True)
    )

    def by_name(departments: Iterable[Department]) -> list[Department]:
        return sorted(departments, key=lambda d: (d.name.casefold(), d.pk))

    return Chain(
        providers=by_name(p for p, c in pairs if c.pk == department.pk),
        consumers=by_name(c for p, c in pairs if p.pk == department.pk),
        reach=reach_in(_graph(pairs), department.pk) if department.active else [],
    )
