from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from catalog.models import ModelOption


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "password")

    @factory.post_generation
    def _save(obj, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class ModelOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelOption

    name = factory.Sequence(lambda n: f"Model {n:04d}")
    provider = "Acme"
    kind = "proprietary"
    score_cost = 5
    score_performance = 5
    score_customization = 5
    score_data_privacy = 5
    score_time_to_market = 5
    score_maintenance = 5
    input_price_per_mtok = Decimal("1.00")
    output_price_per_mtok = Decimal("2.00")
