"""Issue 13 item 15: staff invite stylists, who create their own accounts (once per link)."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def invite(staff_client, note="Ana, stylist") -> str:
    html = staff_client.post("/staff/invitations/", {"note": note}).content.decode()
    match = re.search(r'value="http://testserver(/join/[^"]+/)"', html)
    assert match, html[:2000]
    return match.group(1)


def test_an_invited_stylist_creates_their_own_account_once(staff_client, django_user_model):
    from tryon.models import Invitation

    link = invite(staff_client)
    invitation = Invitation.objects.get()
    assert invitation.token_hash not in link  # only the hash is stored
    stylist = Client()
    assert "Create your stylist account" in stylist.get(link).content.decode()
    data = {"username": "ana", "password1": "a-long-pass-phrase-9", "password2": "a-long-pass-phrase-9"}
    response = stylist.post(link, data)
    assert response.status_code == 302 and response["Location"] == "/"
    ana = django_user_model.objects.get(username="ana")
    assert not ana.is_staff
    assert "Sign out ana" in stylist.get("/").content.decode()
    invitation.refresh_from_db()
    assert invitation.used_by == ana and invitation.used_at
    # The link is spent.
    again = Client().post(link, {**data, "username": "mallory"})
    assert again.status_code == 410 and "already used" in again.content.decode()
    assert not django_user_model.objects.filter(username="mallory").exists()
    assert "Used by ana" in staff_client.get("/staff/invitations/").content.decode()


def test_a_bad_password_keeps_the_invitation_open(staff_client, django_user_model):
    link = invite(staff_client)
    response = Client().post(link, {"username": "bo", "password1": "123", "password2": "123"})
    assert response.status_code == 200 and "too short" in response.content.decode()
    data = {"username": "bo", "password1": "a-long-pass-phrase-9", "password2": "a-long-pass-phrase-9"}
    assert Client().post(link, data).status_code == 302


def test_only_staff_invite_and_a_made_up_link_is_refused(client, django_user_model):
    assert client.post("/staff/invitations/", {"note": "me"}).status_code == 302  # to the login page
    user = django_user_model.objects.create_user("sam", password="pw-sam-12345")
    client.force_login(user)
    assert client.post("/staff/invitations/", {"note": "me"}).status_code == 403
    assert Client().get("/join/made-up-token/").status_code == 410
