"""Registering a platform, and Stepwise's own keys: published at the JWKS URL, rotated."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from lti_tool.models import Key

from tutor.models import User


def _kids(client: Client) -> set[str]:
    response = client.get("/lti/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert all(k["kty"] == "RSA" and k["alg"] == "RS256" and "d" not in k for k in keys)
    return {k["kid"] for k in keys}


def test_it_publishes_only_public_keys(db: None) -> None:
    """The JWKS lists each active key's public half, never the private exponent."""
    key = Key.objects.generate()
    assert _kids(Client()) == {str(key)}


def test_it_makes_a_key_on_first_use(db: None) -> None:
    """A fresh install publishes a key at once; no command has to be run first."""
    assert len(_kids(Client())) == 1
    assert len(_kids(Client())) == 1  # and only one


def test_it_keeps_the_old_key_published_for_a_grace_period(db: None) -> None:
    """Rotation adds a key; the old one stays until it is older than --deactivate-after."""
    client = Client()
    call_command("rotate_keys", stdout=StringIO())
    first = Key.objects.get()
    call_command("rotate_keys", "--deactivate-after", "7", stdout=StringIO())
    second = Key.objects.latest()
    assert _kids(client) == {str(first), str(second)}  # platforms may still hold the old one
    Key.objects.filter(pk=first.pk).update(datetime_created=timezone.now() - timedelta(days=8))
    call_command("rotate_keys", "--deactivate-after", "7", stdout=StringIO())
    third = Key.objects.latest()
    assert _kids(client) == {str(second), str(third)}


def test_it_registers_a_platform_in_the_admin(db: None) -> None:
    """An admin adds issuer, client id, URLs and deployment ids on one page."""
    admin = User.objects.create_superuser("root_admin", password="pw-root-1", role="admin")
    client = Client()
    client.force_login(admin)
    response = client.get("/admin/lti_tool/ltiregistration/add/")
    assert response.status_code == 200
    for field in ("issuer", "client_id", "auth_url", "token_url", "keyset_url", "deployment_id"):
        assert field.encode() in response.content
