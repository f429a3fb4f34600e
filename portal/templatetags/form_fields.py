"""Form fields whose errors sit at the field: the input names its error slot in aria-describedby,
and the slot (``_field_error.html``) is always on the page, so a fragment swapped in by htmx can
fill it out of band (``hx-swap-oob``) even when the form itself is not re-rendered."""

from __future__ import annotations

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


def error_id(field: forms.BoundField) -> str:
    return f"{field.auto_id}_error"


@register.filter
def field_error_id(field: forms.BoundField) -> str:
    """The id of the field's error slot, e.g. ``id_min_context_error``."""
    return error_id(field)


@register.simple_tag
def field_input(field: forms.BoundField) -> SafeString:
    """The field's widget, described by its help text (Django adds that id) and its error slot."""
    described = [f"{field.auto_id}_helptext"] if field.help_text else []
    described.append(error_id(field))
    return field.as_widget(attrs={"aria-describedby": " ".join(described)})
