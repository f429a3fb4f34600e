"""Writes: priority profiles, usage patterns and saved evaluations.

Each validates with the model's ``full_clean`` and raises ``ValidationError`` keyed by field, so the
pages, the API and the admin refuse the same input with the same messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.selectors import decision_catalog
from evaluations.costing import USAGE_FIELDS, Usage
from evaluations.models import Evaluation, PriorityProfile, UsagePattern
from evaluations.requirements import Requirements
from evaluations.scoring import RankedModel
from evaluations.services.cost_report import cost_report_build
from evaluations.services.recommendation import recommend_models
from evaluations.snapshots import SNAPSHOT_VERSION, cost_report_data, recommendation_data
from portal.models import Team

TeamOwned = TypeVar("TeamOwned", PriorityProfile, UsagePattern, Evaluation)


def _save_named(instance: TeamOwned, *, noun: str) -> TeamOwned:
    """Validate with the model's rules and a per-team unique name reported on ``name``, then save."""
    errors: dict[str, Any] = {}
    try:
        instance.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    duplicate = (
        type(instance)
        ._default_manager.filter(team_id=instance.team_id, name=instance.name)
        .exclude(pk=instance.pk)
    )
    article = "an" if noun[0] in "aeio" else "a"  # "a usage pattern", "an evaluation"
    message = f"This team already has {article} {noun} named “{instance.name}”."
    if "name" not in errors and duplicate.exists():
        errors["name"] = [ValidationError(message, code="unique")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a concurrent save took the name between the check and the insert
        raise ValidationError({"name": [message]}) from exc
    return instance


def _as_list(priorities: Sequence[str]) -> Any:
    """A list copy of a priority sequence; anything else is passed on for validation to refuse."""
    return list(priorities) if isinstance(priorities, list | tuple) else priorities


def _check_default_pattern(team_id: int, pattern: UsagePattern | None) -> None:
    if pattern is not None and pattern.team_id != team_id:
        raise ValidationError({"default_usage_pattern": ["Not in this team."]})


def profile_create(
    *,
    team: Team,
    name: str,
    priorities: Sequence[str],
    default_usage_pattern: UsagePattern | None = None,
) -> PriorityProfile:
    _check_default_pattern(team.pk, default_usage_pattern)
    return _save_named(
        PriorityProfile(
            team=team,
            name=name,
            priorities=_as_list(priorities),
            default_usage_pattern=default_usage_pattern,
        ),
        noun="priority profile",
    )


_UNCHANGED: Any = object()


def profile_update(
    *,
    profile: PriorityProfile,
    name: str | None = None,
    priorities: Sequence[str] | None = None,
    default_usage_pattern: UsagePattern | None = _UNCHANGED,
) -> PriorityProfile:
    if name is not None:
        profile.name = name
    if priorities is not None:
        profile.priorities = _as_list(priorities)
    if default_usage_pattern is not _UNCHANGED:
        _check_default_pattern(profile.team_id, default_usage_pattern)
        profile.default_usage_pattern = default_usage_pattern
    return _save_named(profile, noun="priority profile")


@transaction.atomic
def profile_move(
    *, profile: PriorityProfile, priority: str, direction: Literal["up", "down"]
) -> PriorityProfile:
    """Swap a priority with its neighbour above or below; at either end nothing changes.

    The row is locked while it changes, so two quick clicks cannot lose one of the moves.
    """
    locked = PriorityProfile.objects.select_for_update().get(pk=profile.pk)
    order = list(locked.priorities)
    if priority not in order:
        raise ValidationError({"priority": [f"“{priority}” is not in this profile."]})
    if direction not in ("up", "down"):
        raise ValidationError({"direction": ["Direction must be “up” or “down”."]})
    i = order.index(priority)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
        locked.priorities = order
        locked.save(update_fields=["priorities", "updated_at"])
    profile.priorities, profile.updated_at = locked.priorities, locked.updated_at
    return profile


def profile_delete(*, profile: PriorityProfile) -> None:
    profile.delete()


def usage_from_fields(**fields: Any) -> Usage:
    """Validate traffic figures with the usage pattern rules without saving them."""
    pattern = UsagePattern(name="inline", **fields)
    pattern.full_clean(exclude=["team", "name"], validate_constraints=False)
    return pattern.as_usage()


def usage_pattern_create(*, team: Team, name: str, **fields: Any) -> UsagePattern:
    return _save_named(UsagePattern(team=team, name=name, **fields), noun="usage pattern")


def usage_pattern_update(*, pattern: UsagePattern, **fields: Any) -> UsagePattern:
    for field, value in fields.items():
        if field not in ("name", *USAGE_FIELDS, "shut_down_idle_days"):
            raise TypeError(f"Unknown usage pattern field {field!r}.")
        setattr(pattern, field, value)
    return _save_named(pattern, noun="usage pattern")


def usage_pattern_delete(*, pattern: UsagePattern) -> None:
    pattern.delete()


def _top_pick(ranking: Sequence[RankedModel]) -> str:
    """The first-ranked model, or every model tied for first joined by " = " (a tie has no winner)."""
    names = " = ".join(r.candidate.name for r in ranking if r.rank == 1)
    limit = Evaluation._meta.get_field("top_pick").max_length or 120
    return names if len(names) <= limit else names[: limit - 1] + "…"


@transaction.atomic
def evaluation_create(
    *,
    team: Team,
    name: str,
    created_by: User | AnonymousUser | None,
    priorities: Sequence[str] | None = None,
    profile: PriorityProfile | None = None,
    requirements: Requirements | None = None,
    usage_pattern: UsagePattern | None = None,
    allow_empty: bool = True,
) -> Evaluation:
    """Run the recommendation (and, with a usage pattern, the cost report) and save what they said.

    Priorities come from ``priorities`` or, when omitted, from the profile. The cost report covers
    the models that met the requirements; ``allow_empty=False`` refuses a result that ranks no
    model (the page never offers to save one). Both are stored as JSON so the evaluation reads the same
    after the catalog changes.
    """
    for owned in (profile, usage_pattern):
        if owned is not None and owned.team_id != team.pk:
            raise ValidationError({"profile" if owned is profile else "usage_pattern": ["Not in this team."]})
    if priorities is None:
        if profile is None:
            raise ValidationError({"priorities": ["Give priorities or a profile."]})
        priorities = profile.priorities
    usage = usage_pattern.as_usage() if usage_pattern is not None else None
    options = decision_catalog()
    recommendation = recommend_models(
        priorities=priorities, requirements=requirements, usage=usage, options=options
    )
    if not recommendation.ranking and not allow_empty:
        raise ValidationError(
            {"requirements": ["No active model meets these requirements, so there is nothing to save."]}
        )
    report = None
    if usage is not None:
        ranked = {r.candidate.id for r in recommendation.ranking}
        report = cost_report_build(usage=usage, options=[o for o in options if o.pk in ranked])
    snapshot: dict[str, Any] = {
        "schema_version": SNAPSHOT_VERSION,
        "profile_name": profile.name if profile else None,
        "usage_pattern_name": usage_pattern.name if usage_pattern else None,
        "recommendation": recommendation_data(
            recommendation,
            profile_id=profile.pk if profile else None,
            usage_pattern_id=usage_pattern.pk if usage_pattern else None,
        ),
        "cost_report": (
            cost_report_data(report, usage_pattern_id=usage_pattern.pk if usage_pattern else None)
            if report is not None
            else None
        ),
    }
    evaluation = Evaluation(
        team=team,
        name=name,
        profile=profile,
        usage_pattern=usage_pattern,
        priorities=list(priorities),
        requirements=recommendation.requirements.as_data(),
        snapshot=snapshot,
        top_pick=_top_pick(recommendation.ranking),
        created_by=created_by if created_by is not None and created_by.is_authenticated else None,
    )
    if Evaluation.objects.filter(team=team, name=name).exists():
        raise ValidationError({"name": [f"This team already has an evaluation named “{name}”."]})
    # The related rows were resolved for this team above: only the values need checking.
    evaluation.full_clean(exclude=["team", "profile", "usage_pattern", "created_by"])
    evaluation.save()
    return evaluation


def evaluation_rename(*, evaluation: Evaluation, name: str) -> Evaluation:
    """Rename a saved evaluation; its results never change. Names are unique per team."""
    evaluation.name = name
    return _save_named(evaluation, noun="evaluation")


def evaluation_delete(*, evaluation: Evaluation) -> None:
    evaluation.delete()
