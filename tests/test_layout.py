"""The page shell: sign-in, navigation by role, vendored assets."""

import re

from django.contrib.staticfiles import finders


def test_pages_need_a_signed_in_user(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_sign_in_page_labels_its_inputs(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert '<label class="form-label" for="id_username">' in page
    assert '<label class="form-label" for="id_password">' in page


def test_clinician_signs_in_and_lands_on_the_patient_list(client, clinician_a):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/patients/", 302)]


def test_other_roles_keep_the_home_page(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/").status_code == 200


def test_only_registry_admins_see_the_admin_link(client, clinician_a, registry_admin):
    client.force_login(clinician_a)
    assert 'href="/admin/"' not in client.get("/", follow=True).content.decode()
    client.force_login(registry_admin)
    assert 'href="/admin/"' in client.get("/").content.decode()


def test_bootstrap_is_vendored_not_fetched_from_a_cdn(client, clinician_a):
    assert finders.find("vendor/bootstrap-5.3.8/bootstrap.min.css")
    client.force_login(clinician_a)
    page = client.get("/", follow=True).content.decode()
    # Every asset address is local; a random CSRF token may contain "cdn",
    # so look at the addresses rather than the whole page.
    addresses = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert addresses
    assert not [a for a in addresses if a.startswith(("http:", "https:", "//"))]
    assert "<script>" not in page  # no inline scripts: the CSP forbids them
    assert "style=" not in page


def test_password_change_page_renders(client, clinician_a):
    client.force_login(clinician_a)
    assert client.get("/accounts/password_change/").status_code == 200
