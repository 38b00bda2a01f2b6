"""Swagger UI and ReDoc from the static files of drf-spectacular-sidecar (never a CDN), for
signed-in people. Swagger UI's init script is a URL of its own, as the CSP allows no inline script."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response


class SchemaView(SpectacularJSONAPIView):
    """The OpenAPI 3 schema, public (it describes the API and holds no data), in JSON."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    api_version = "1"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return self._get_schema_response(request)  # no ?lang= or ?version=: one schema


class _Docs:
    authentication_classes = [SessionAuthentication]  # signed-in people (login_required in urls.py)
    permission_classes: list = []
    throttle_classes: list = []

    def _get_schema_url(self, request) -> str:
        return reverse("api:schema")


class SwaggerView(_Docs, SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return Response(
            data={
                "title": self.title,
                "swagger_ui_css": self._swagger_ui_resource("swagger-ui.css"),
                "swagger_ui_bundle": self._swagger_ui_resource("swagger-ui-bundle.js"),
                "swagger_ui_standalone": self._swagger_ui_resource("swagger-ui-standalone-preset.js"),
                "favicon_href": self._swagger_ui_favicon(),
                "script_url": reverse("api:docs_script"),
            },
            template_name=self.template_name,
        )


class SwaggerScriptView(_Docs, SpectacularSwaggerSplitView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return Response(
            data={
                "schema_url": self._get_schema_url(request),
                "settings": self._dump(spectacular_settings.SWAGGER_UI_SETTINGS),
                "oauth2_config": self._dump(spectacular_settings.SWAGGER_UI_OAUTH2_CONFIG),
                "csrf_header_name": self._get_csrf_header_name(),
                "schema_auth_names": self._dump(self._get_schema_auth_names()),
            },
            template_name=self.template_name_js,
            content_type="application/javascript",
        )


class RedocView(_Docs, SpectacularRedocView):
    template_name = "api/redoc.html"  # drf-spectacular's own loads fonts from Google
