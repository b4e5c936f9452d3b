"""Bad parameters of /api/v1/metrics/ answer 400 with a message per parameter, never 500."""

import pytest

METRICS = "/api/v1/metrics/"
BAD = {
    "procedure_from": "2024-13-01",
    "procedure_to": "tomorrow",
    "by_site": "maybe",
    "subgroups": "no",
}


@pytest.mark.parametrize("fmt", [None, "csv"])
def test_every_invalid_parameter_gets_its_own_message(api, two_site_cohort, reviewer, fmt):
    api.force_authenticate(reviewer)
    response = api.get(METRICS, {**BAD, **({"format": fmt} if fmt else {})})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == set(BAD)
    assert all(response.json()[name] for name in BAD)


@pytest.mark.parametrize(("name", "value"), list(BAD.items()))
def test_one_invalid_parameter_is_named(api, two_site_cohort, reviewer, name, value):
    api.force_authenticate(reviewer)
    response = api.get(METRICS, {name: value})
    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_a_bad_value_beside_an_out_of_scope_site_is_still_a_400(api, two_site_cohort, lead_a):
    api.force_authenticate(lead_a)
    response = api.get(METRICS, {"site": "SITE-B", "by_site": "maybe"})
    assert response.status_code == 400
    assert set(response.json()) == {"site", "by_site"}


def test_reversed_period_is_refused(api, two_site_cohort, reviewer):
    api.force_authenticate(reviewer)
    response = api.get(METRICS, {"procedure_from": "2025-02-01", "procedure_to": "2025-01-01"})
    assert response.status_code == 400
    assert response.json() == {"procedure_to": ["procedure_to is before procedure_from."]}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("procedure_from", "0001-01-01"),
        ("procedure_to", "9999-12-31"),
        ("procedure_from", "0000-01-01"),
        ("site", "SITE-A\x00"),
        ("site", "not a code"),
        ("by_site", "TRUE "),
        ("format", "xml"),
    ],
)
def test_odd_values_never_crash(api, two_site_cohort, reviewer, name, value):
    api.force_authenticate(reviewer)
    response = api.get(METRICS, {name: value})
    assert response.status_code in (200, 400, 404)
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 400:
        assert name in response.json()


def test_empty_parameters_mean_the_defaults(api, two_site_cohort, reviewer):
    api.force_authenticate(reviewer)
    params = {"site": "", "procedure_from": "", "procedure_to": "", "by_site": "", "subgroups": ""}
    body = api.get(METRICS, params).json()
    assert body["sites"] == ["SITE-A", "SITE-B"]
    assert (body["by_site"], body["subgroups"]) == (False, True)
