"""Thin Celery tasks of the kpis app."""

from __future__ import annotations

from celery import shared_task

from surveys.tasks import RETRY

from . import services


@shared_task(**RETRY)
def kpi_breaches_raise_task(kpi_ids: list[int]) -> int:
    """After an import: raise the breaches of these KPIs' latest values (services.kpi_breaches_raise).
    Idempotent: each KPI and period is raised once."""
    return services.kpi_breaches_raise(kpi_ids=kpi_ids)


@shared_task(**RETRY)
def kpi_breaches_sweep_task() -> int:
    """Daily: raise the breaches an import's task missed (a broker that was down). Idempotent."""
    return services.kpi_breaches_raise(kpi_ids=None)
