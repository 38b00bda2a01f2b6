"""The site's URL names, as the matrices (permissions, bad input) walk them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver


def site_url_names() -> set[str]:
    """Every named URL of the site, namespaced, except Django admin's (staff only, its own forms)."""

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace != "admin":
                    yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}:{p.name}" if namespace else p.name

    return set(walk(get_resolver().url_patterns))
