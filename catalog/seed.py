"""The catalog the portal ships with: the source article's models and exactly its figures.

Figures the article does not give are left empty here; API prices for them are filled from
genai-prices' bundled data by ``catalog_prices_refresh`` (with the source recorded), the rest stay
unknown.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

ARTICLE = "Source article: 'Open Source vs Proprietary LLMs: Making the Right Choice'"

_PROPRIETARY_CAPABILITIES: dict[str, Any] = {
    "function_calling": "native",
    "vision": True,
    "streaming": True,
    "self_hosting": False,
    "data_privacy": "api_only",
    "latency_control": "limited",
    "custom_tokenizer": False,
}
_OPEN_CAPABILITIES: dict[str, Any] = {
    "fine_tuning": "full",
    "function_calling": "prompting",
    "vision": False,
    "streaming": True,
    "self_hosting": True,
    "data_privacy": "full_control",
    "latency_control": "full",
    "custom_tokenizer": True,
}


def _scores(
    cost: int, performance: int, customization: int, privacy: int, ttm: int, maint: int
) -> dict[str, int]:
    return {
        "score_cost": cost,
        "score_performance": performance,
        "score_customization": customization,
        "score_data_privacy": privacy,
        "score_time_to_market": ttm,
        "score_maintenance": maint,
    }


ARTICLE_MODELS: list[dict[str, Any]] = [
    {
        "name": "GPT-4 Turbo",
        "provider": "OpenAI",
        "kind": "proprietary",
        **_scores(4, 9, 3, 5, 10, 10),
        "input_price_per_mtok": Decimal("10"),
        "output_price_per_mtok": Decimal("30"),
        "price_source": ARTICLE,
        "pricing_ref": "gpt-4-turbo",
        "pricing_provider": "openai",
        "max_context_tokens": 128_000,
        "fine_tuning": "limited",
        "capability_source": "OpenAI model documentation, https://platform.openai.com/docs/models",
        **_PROPRIETARY_CAPABILITIES,
    },
    {
        "name": "Claude 3 Opus",
        "provider": "Anthropic",
        "kind": "proprietary",
        **_scores(3, 9, 3, 6, 10, 10),
        "pricing_ref": "claude-3-opus",
        "pricing_provider": "anthropic",
        "max_context_tokens": 200_000,
        "fine_tuning": "none",
        "capability_source": "Anthropic, 'Introducing the next generation of Claude', "
        "https://www.anthropic.com/news/claude-3-family",
        **_PROPRIETARY_CAPABILITIES,
    },
    {
        "name": "Llama 2 70B",
        "provider": "Meta",
        "kind": "open_source",
        **_scores(8, 7, 9, 10, 5, 4),
        "pricing_ref": "llama-2-70b",
        "gpu_instance": "4x A100 80GB (Azure)",
        "instance_hourly_cost": Decimal("27.20"),
        "gpus_per_instance": 4,
        "setup_hours": Decimal("40"),
        "monthly_ops_hours": Decimal("20"),
        "engineering_hourly_rate": Decimal("150"),
        "hosting_source": ARTICLE,
        "max_context_tokens": 4_000,
        "capability_source": "Touvron et al., 'Llama 2: Open Foundation and Fine-Tuned Chat Models', "
        "https://arxiv.org/abs/2307.09288",
        **_OPEN_CAPABILITIES,
    },
    {
        "name": "Mistral 7B",
        "provider": "Mistral AI",
        "kind": "open_source",
        **_scores(10, 6, 9, 10, 6, 5),
        "pricing_ref": "mistral-7b",
        "pricing_provider": "mistral",
    },
    {
        "name": "Mixtral 8x7B",
        "provider": "Mistral AI",
        "kind": "open_source",
        "pricing_ref": "mixtral-8x7b",
        "pricing_provider": "mistral",
        "max_context_tokens": 32_000,
        "capability_source": "Mistral AI, 'Mixtral of experts', https://mistral.ai/news/mixtral-of-experts/",
        **_OPEN_CAPABILITIES,
    },
]
