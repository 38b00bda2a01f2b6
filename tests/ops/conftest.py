"""Fixtures of the survey and scorecard tests, shared with the operations tests."""

from tests.scorecards.conftest import departments  # noqa: F401
from tests.surveys.conftest import open_cycle  # noqa: F401
