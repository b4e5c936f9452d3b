"""Export endpoints are rate limited per user (EXPORT_THROTTLE_RATE)."""

import pytest


@pytest.fixture
def three_per_minute(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"export": "3/min"},
    }


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/patients/", {}),
        ("/api/v1/procedures/", {"format": "csv"}),
        ("/api/v1/bundle/", {}),
        ("/api/v1/data-dictionary/", {}),
    ],
)
def test_requests_over_the_rate_get_429(api, cohort, reviewer, three_per_minute, url, params):
    api.force_authenticate(reviewer)
    for _ in range(3):
        assert api.get(url, params).status_code == 200
    response = api.get(url, params)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert int(response["Retry-After"]) > 0


def test_each_user_has_their_own_allowance(api, cohort, reviewer, lead_a, three_per_minute):
    api.force_authenticate(reviewer)
    for _ in range(4):
        api.get("/api/v1/sites/")
    api.force_authenticate(lead_a)
    assert api.get("/api/v1/sites/").status_code == 200


def test_the_rate_comes_from_the_environment():
    from tests.test_settings import run_python

    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['export'])"
    )
    result = run_python(code, DEBUG="1", EXPORT_THROTTLE_RATE="7/day")
    assert result.stdout.strip() == "7/day", result.stderr
