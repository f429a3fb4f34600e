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

from catalog.models import ModelOption, PriceHistory
from catalog.seed import ARTICLE, ARTICLE_MODELS

PRICE_FIELDS: tuple[str, ...] = ("input_price_per_mtok", "output_price_per_mtok")
GENAI_PRICES_SOURCE = "genai-prices"
HAND_ENTERED = "Entered by hand"


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


def hand_entered_price_source(*, by: str = "") -> str:
    """The source recorded for a price staff typed in, e.g. 'Entered by hand by alice on 2026-11-30'."""
    who = f" by {by}" if by else ""
    return f"{HAND_ENTERED}{who} on {timezone.now().date().isoformat()}"


def mark_hand_entered_prices(option: ModelOption, changed: set[str], *, by: str = "") -> None:
    """A price set by hand without naming its source is recorded as entered by hand, so the daily
    refresh keeps it (see ``catalog_prices_refresh``)."""
    priced = any(getattr(option, name) is not None for name in PRICE_FIELDS)
    if priced and changed & set(PRICE_FIELDS) and "price_source" not in changed:
        option.price_source = hand_entered_price_source(by=by)


def price_history_record(
    option: ModelOption, *, old_input: Decimal | None, old_output: Decimal | None
) -> PriceHistory | None:
    """Record the model's price change (old and new, with the source it now names); nothing when the
    price did not change. Every writer of a price (refresh, staff pages, API, admin) calls this."""
    if (old_input, old_output) == (option.input_price_per_mtok, option.output_price_per_mtok):
        return None
    return PriceHistory.objects.create(
        model=option,
        old_input_price_per_mtok=old_input,
        old_output_price_per_mtok=old_output,
        input_price_per_mtok=option.input_price_per_mtok,
        output_price_per_mtok=option.output_price_per_mtok,
        source=option.price_source,
        effective_date=option.price_effective_date,
    )


def mark_hand_entered_price_date(option: ModelOption, changed: set[str]) -> None:
    """A price typed in without a date takes effect today."""
    if changed & set(PRICE_FIELDS) and "price_effective_date" not in changed:
        option.price_effective_date = timezone.now().date()


@transaction.atomic
def model_option_create(*, by: str = "", **fields: Any) -> ModelOption:
    option = ModelOption(**fields)
    changed = {name for name, value in fields.items() if value is not None}
    mark_hand_entered_prices(option, changed, by=by)
    mark_hand_entered_price_date(option, changed)
    option.full_clean()
    option.save()
    price_history_record(option, old_input=None, old_output=None)
    return option


@transaction.atomic
def model_option_update(option: ModelOption, *, by: str = "", **fields: Any) -> ModelOption:
    changed = {name for name, value in fields.items() if getattr(option, name) != value}
    old_input, old_output = option.input_price_per_mtok, option.output_price_per_mtok
    for name, value in fields.items():
        setattr(option, name, value)
    mark_hand_entered_prices(option, changed, by=by)
    mark_hand_entered_price_date(option, changed)
    option.full_clean()
    option.save()
    price_history_record(option, old_input=old_input, old_output=old_output)
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
    kept: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"changed {c.name}: input {c.old_input} -> {c.new_input}, output {c.old_output} -> {c.new_output}"
            for c in self.changed
        ]
        out += [f"unchanged {name}" for name in self.unchanged]
        out += [f"unknown {name}: {reason}" for name, reason in self.unknown]
        out += [f"kept {name}: {reason}" for name, reason in self.kept]
        return out

    def summary(self) -> str:
        summary = (
            f"{len(self.changed)} changed, {len(self.unchanged)} unchanged, "
            f"{len(self.unknown)} not found in genai-prices"
        )
        if self.kept:
            summary += f", {len(self.kept)} kept (article or hand-entered prices; force to replace)"
        return summary


def _kept_because(option: ModelOption) -> str | None:
    """Why the refresh must not replace this model's price, or None when it may.

    Only an empty price, or one a previous refresh imported, is the refresh's to change: the article's
    figures and prices staff entered by hand stay until a forced refresh.
    """
    if all(getattr(option, name) is None for name in PRICE_FIELDS):
        return None
    if option.price_source == ARTICLE:
        return "price from the source article"
    if option.price_source.startswith(GENAI_PRICES_SOURCE):
        return None
    return f"price entered by hand ({option.price_source or 'no source recorded'})"


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


def catalog_prices_refresh(
    *, options: QuerySet[ModelOption] | None = None, force: bool = False
) -> PriceRefreshReport:
    """Import or refresh API prices from genai-prices' bundled data (no network).

    Models without a genai-prices id, or whose id is not in the data, are reported as unknown and
    left as they are: a price is never guessed. A price from the article or entered by hand is kept
    and reported with what genai-prices says, unless ``force``.
    """
    report = PriceRefreshReport()
    source = f"{GENAI_PRICES_SOURCE} {version('genai-prices')} (bundled data)"
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
        reason = _kept_because(option)
        if reason is not None and not force:
            report.kept.append((option.name, f"{reason}; genai-prices has input {new_in}, output {new_out}"))
            continue
        report.changed.append(
            PriceChange(
                option.name, option.input_price_per_mtok, option.output_price_per_mtok, new_in, new_out
            )
        )
        old_input, old_output = option.input_price_per_mtok, option.output_price_per_mtok
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
        price_history_record(option, old_input=old_input, old_output=old_output)
    return report
