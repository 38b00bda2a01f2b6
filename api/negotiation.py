from __future__ import annotations

from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation


class FirstRenderer(BaseContentNegotiation):
    """Each API view has one format (JSON; the docs their page or script): its first renderer,
    whatever the Accept header, and no ?format= is read."""

    def select_parser(self, request, parsers):
        return DefaultContentNegotiation().select_parser(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
