from __future__ import annotations


class SurveyError(Exception):
    """A request that cannot be carried out; the message says why, in words for the person."""
