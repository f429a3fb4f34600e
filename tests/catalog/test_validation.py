"""Bad catalog figures are refused with a message on the field, whichever door they come through."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.services import model_option_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("score_cost", 11, "less than or equal to 10"),
        ("score_performance", 0, "greater than or equal to 1"),
        ("input_price_per_mtok", Decimal("-1"), "greater than or equal to 0"),
        ("instance_hourly_cost", Decimal("-0.01"), "greater than or equal to 0"),
        ("throughput_tokens_per_s", 0, "greater than or equal to 1"),
        ("concurrent_requests_per_instance", 0, "greater than or equal to 1"),
    ],
)
def test_service_refuses_out_of_range_figures_on_the_field(field, value, message):
    with pytest.raises(ValidationError) as exc:
        model_option_create(name="Bad", kind="open_source", self_hosting=True, **{field: value})
    assert message in " ".join(exc.value.message_dict[field])


def test_admin_form_shows_field_errors_and_saves_nothing(staff_client):
    from catalog.models import ModelOption

    response = staff_client.post(
        "/admin/catalog/modeloption/add/",
        {
            "name": "Bad",
            "kind": "open_source",
            "score_cost": "11",
            "input_price_per_mtok": "-1",
            "throughput_tokens_per_s": "0",
            "self_hosting": "true",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "less than or equal to 10" in errors["score_cost"][0]
    assert "greater than or equal to 0" in errors["input_price_per_mtok"][0]
    assert "greater than or equal to 1" in errors["throughput_tokens_per_s"][0]
    assert not ModelOption.objects.filter(name="Bad").exists()
