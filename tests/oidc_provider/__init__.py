"""A tiny OpenID Connect provider (django-oidc-provider) that the single sign-on tests run as a real
process on loopback (tests/accounts/test_sso_provider.py starts it; see provider.py)."""
