"""Writes to the catalog: loading the shipped models, staff edits, and price refreshes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.metadata import version
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from genai_prices.data_snapshot import get_snapshot
from genai_prices.types import ModelPrice, StartDateConstraint

from catalog.models import ModelOption
from catalog.seed import ARTICLE_MODELS


@transaction.atomic
def catalog_load_article_models() -> list[str]:
    """Create the article's models that are missing; never overwrite a model staff already edited.

    Returns the names created (empty on a second run), so loading is safe to repeat.
    """
    created: list[str] = []
    for spec in ARTICLE_MODELS:
        fields = dict(spec)
        name = fields.pop("name")
        _, was_created = ModelOption.objects.get_or_create(name=name, defaults=fields)
        if was_created:
            created.append(name)
    return created


def model_option_create(**fields: Any) -> ModelOption:
    option = ModelOption(**fields)
    option.full_clean()
    option.save()
    return option


def model_option_update(option: ModelOption, **fields: Any) -> ModelOption:
    for name, value in fields.items():
        setattr(option, name, value)
    option.full_clean()
    option.save()
    return option


@dataclass(frozen=True)
class PriceChange:
    name: str
    old_input: Decimal | None
    old_output: Decimal | None
    new_input: Decimal
    new_output: Decimal


@dataclass
class PriceRefreshReport:
    changed: list[PriceChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"changed {c.name}: input {c.old_input} -> {c.new_input}, output {c.old_output} -> {c.new_output}"
            for c in self.changed
        ]
        out += [f"unchanged {name}" for name in self.unchanged]
        out += [f"unknown {name}: {reason}" for name, reason in self.unknown]
        return out

    def summary(self) -> str:
        return (
            f"{len(self.changed)} changed, {len(self.unchanged)} unchanged, "
            f"{len(self.unknown)} not found in genai-prices"
        )


def _genai_price(ref: str, provider: str) -> tuple[ModelPrice, dt.date, str] | None:
    """Current standard (non-batch) prices for a model in genai-prices' bundled data, or None."""
    try:
        found_provider, model = get_snapshot().find_provider_model(ref, None, provider or None, None)
    except LookupError:
        return None
    today = timezone.now().date()
    if isinstance(model.prices, ModelPrice):
        return model.prices, today, found_provider.id
    chosen, effective = model.prices[0].prices, today
    for conditional in reversed(model.prices):
        constraint = conditional.constraint
        if constraint is None or constraint.active(timezone.now()):
            chosen = conditional.prices
            if isinstance(constraint, StartDateConstraint):
                effective = constraint.start_date
            break
    return chosen, effective, found_provider.id


def catalog_prices_refresh(*, options: QuerySet[ModelOption] | None = None) -> PriceRefreshReport:
    """Import or refresh API prices from genai-prices' bundled data (no network).

    Models without a genai-prices id, or whose id is not in the data, are reported as unknown and
    left as they are: a price is never guessed.
    """
    report = PriceRefreshReport()
    source = f"genai-prices {version('genai-prices')} (bundled data)"
    for option in (options if options is not None else ModelOption.objects.all()).order_by("name"):
        if not option.pricing_ref:
            report.unknown.append((option.name, "no genai-prices model id set"))
            continue
        found = _genai_price(option.pricing_ref, option.pricing_provider)
        if found is None or found[0].input_mtok is None or found[0].output_mtok is None:
            report.unknown.append((option.name, f"'{option.pricing_ref}' has no price in genai-prices"))
            continue
        price, effective, provider_id = found
        new_in, new_out = Decimal(str(price.input_mtok)), Decimal(str(price.output_mtok))
        if option.input_price_per_mtok == new_in and option.output_price_per_mtok == new_out:
            report.unchanged.append(option.name)
            continue
        report.changed.append(
            PriceChange(
                option.name, option.input_price_per_mtok, option.output_price_per_mtok, new_in, new_out
            )
        )
        option.input_price_per_mtok = new_in
        option.output_price_per_mtok = new_out
        option.price_source = f"{source}, provider {provider_id}, model {option.pricing_ref}"
        option.price_effective_date = effective
        option.save(
            update_fields=[
                "input_price_per_mtok",
                "output_price_per_mtok",
                "price_source",
                "price_effective_date",
                "updated_at",
            ]
        )
    return report
