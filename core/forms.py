"""What the site's forms share."""

from collections.abc import Mapping

from django import forms

from core.errors import DomainError


def add_domain_error(
    form: forms.Form,
    error: DomainError,
    *,
    aliases: Mapping[str, str] | None = None,
    also: tuple[forms.Form, ...] = (),
) -> None:
    """Put a service's refusal on the form: next to its fields (or those of the page's other
    forms, `also`; a service's field name may be shown under another control: `aliases`), or
    above the form."""
    placed = False
    for field, problems in (error.fields or {}).items():
        name = (aliases or {}).get(field, field)
        target = next((f for f in (form, *also) if name in f.fields), None)
        if target is None:
            continue
        for problem in problems if isinstance(problems, list | tuple) else [problems]:
            target.add_error(name, str(problem))
            placed = True
    if not placed:
        form.add_error(None, str(error.message))
