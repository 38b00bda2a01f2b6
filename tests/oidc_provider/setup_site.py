"""Prepares the provider's database: tables, an RS256 key, the portal as a client, and its users.

Run in the provider's own environment (DJANGO_SETTINGS_MODULE=tests.oidc_provider.settings,
PROVIDER_DB), with one JSON argument: {"redirect_uri", "client_id", "client_secret", "users":
[{"username", "email", "password", "is_active"}]}.
"""

import json
import sys

import django
from django.core.management import call_command


def main(config: dict) -> None:
    django.setup()
    from django.contrib.auth.models import User
    from oidc_provider.models import Client, ResponseType

    call_command("migrate", verbosity=0)
    call_command("creatersakey")
    client = Client.objects.create(
        name="Survey portal",
        client_type="confidential",
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        jwt_alg="RS256",
        require_consent=True,
        reuse_consent=True,
        _redirect_uris=config["redirect_uri"],
        _scope="openid email profile",
    )
    client.response_types.set([ResponseType.objects.get(value="code")])
    for person in config["users"]:
        user = User.objects.create_user(person["username"], email=person["email"], password=person["password"])
        user.is_active = person.get("is_active", True)
        user.save()


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
