"""Hard requirements: capabilities a model must have before it is scored at all.

Pure checks on a catalog entry's capability values. A value the catalog does not know never meets a
requirement, and the reason says it is unknown rather than guessing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, Protocol

from catalog.vocabulary import KIND_LABELS, kind_label

# The largest context a requirement may ask for, in tokens (pages and API alike).
MAX_CONTEXT_REQUIREMENT = 100_000_000
FINE_TUNING_LEVELS: dict[str, int] = {"none": 0, "limited": 1, "full": 2}
FINE_TUNING_MINIMUMS: dict[str, str] = {"limited": "Limited or full", "full": "Full"}


class Capabilities(Protocol):
    """The catalog fields a requirement reads (a ``catalog.models.ModelOption`` has them all).

    Read-only, so the frozen ``catalog.selectors.CatalogEntry`` rows fit too.
    """

    @property
    def kind(self) -> str: ...
    @property
    def self_hosting(self) -> bool | None: ...
    @property
    def max_context_tokens(self) -> int | None: ...
    @property
    def vision(self) -> bool | None: ...
    @property
    def function_calling(self) -> str: ...
    @property
    def fine_tuning(self) -> str: ...


@dataclass(frozen=True)
class Requirements:
    """What a model must offer. Flags that are false and empty values ask for nothing.

    ``function_calling`` asks for native support: calling only via prompting does not meet it.
    ``fine_tuning`` is a minimum ("limited" is met by limited or full). ``max_monthly_cost`` is
    checked against the cost model, so it needs a usage pattern.
    """

    self_hostable: bool = False
    min_context: int | None = None
    vision: bool = False
    function_calling: bool = False
    fine_tuning: str = ""
    kind: str = ""
    max_monthly_cost: Decimal | None = None

    def __post_init__(self) -> None:
        if self.fine_tuning and self.fine_tuning not in FINE_TUNING_MINIMUMS:
            raise ValueError(f"fine_tuning must be one of {', '.join(FINE_TUNING_MINIMUMS)}.")
        if self.kind and self.kind not in KIND_LABELS:
            raise ValueError(f"kind must be one of {', '.join(KIND_LABELS)}.")

    def as_data(self) -> dict[str, Any]:
        """The requirements that ask for something, JSON-ready (money as a decimal string)."""
        data: dict[str, Any] = {}
        for name, value in asdict(self).items():
            if value is None or value is False or value == "":  # a zero cost limit still counts
                continue
            data[name] = f"{value:.2f}" if isinstance(value, Decimal) else value
        return data


def _fmt_tokens(tokens: int) -> str:
    return f"{tokens:,} tokens"


def capability_shortfalls(option: Capabilities, requirements: Requirements) -> list[str]:
    """Why a model fails the capability requirements, one reason each; empty when it meets them all.

    The monthly cost limit is not checked here: it needs the cost model (see
    ``evaluations.services.recommend_models``).
    """
    reasons: list[str] = []
    if requirements.kind and option.kind != requirements.kind:
        reasons.append(f"{kind_label(option.kind)}, not {kind_label(requirements.kind).lower()}.")
    if requirements.self_hostable:
        if option.self_hosting is None:
            reasons.append("Self-hosting unknown.")
        elif not option.self_hosting:
            reasons.append("Cannot be self-hosted.")
    if requirements.min_context is not None:
        if option.max_context_tokens is None:
            reasons.append("Maximum context unknown.")
        elif option.max_context_tokens < requirements.min_context:
            reasons.append(
                f"Maximum context {_fmt_tokens(option.max_context_tokens)} is below the required "
                f"{_fmt_tokens(requirements.min_context)}."
            )
    if requirements.vision:
        if option.vision is None:
            reasons.append("Vision support unknown.")
        elif not option.vision:
            reasons.append("No vision support.")
    if requirements.function_calling:
        if not option.function_calling:
            reasons.append("Function calling unknown.")
        elif option.function_calling == "prompting":
            reasons.append("Function calling only via prompting; native support required.")
        elif option.function_calling != "native":
            reasons.append("No function calling.")
    if requirements.fine_tuning:
        level = FINE_TUNING_LEVELS.get(option.fine_tuning)
        if level is None:
            reasons.append("Fine-tuning unknown.")
        elif level < FINE_TUNING_LEVELS[requirements.fine_tuning]:
            have = "No fine-tuning" if level == 0 else "Only limited fine-tuning"
            reasons.append(f"{have}; {FINE_TUNING_MINIMUMS[requirements.fine_tuning].lower()} required.")
    return reasons
