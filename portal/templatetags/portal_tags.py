from __future__ import annotations

from datetime import datetime

from django import template

from portal.models import Invitation

register = template.Library()


@register.filter
def invitation_status(invitation: Invitation, now: datetime) -> str:
    return invitation.status(now)
