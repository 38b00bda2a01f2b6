"""The survey form: its question fields are built once per process and shared by every form."""

from __future__ import annotations

import copy

from django.http import QueryDict
from django.template.loader import render_to_string

from surveys.forms import AnswerForm
from surveys.models import CycleParameter


def questions() -> list[CycleParameter]:
    return [
        CycleParameter(code=code, name=name, description="You can expect it.", target=4, weight=1, position=n)
        for n, (code, name) in enumerate([("speed", "Speed"), ("care", "Care")])
    ]


def test_forms_share_their_question_fields_and_using_a_form_changes_none_of_them():
    first, second = AnswerForm(questions=questions(), prefix="it"), AnswerForm(questions=questions(), prefix="it")
    shared = first.fields["q_speed"]

    def state() -> tuple:
        field = {name: value for name, value in vars(shared).items() if name != "widget"}
        return copy.deepcopy((field, vars(shared.widget)))

    before = state()

    posted = QueryDict("it-q_speed=9&it-comment_good=x", mutable=False)
    invalid = AnswerForm(posted, questions=questions(), prefix="it")
    assert not invalid.is_valid() and {"q_speed", "q_care"} <= set(invalid.errors)
    draft = AnswerForm(posted.copy() | {"it-q_speed": "4"}, questions=questions(), complete=False, prefix="it")
    assert draft.is_valid()
    render_to_string("surveys/_questions.html", {"form": invalid})

    assert second.fields["q_speed"] is shared
    assert state() == before
    assert AnswerForm(questions=questions(), complete=False, prefix="it").fields["q_speed"].required is False
    assert shared.required is True  # a draft's fields are others
