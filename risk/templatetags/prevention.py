"""`{% help_offer %}`: the gentle offer of help on a high-risk borrower's dashboard.

A template tag, because the dashboard's view belongs to relief, which early warning sits
above (the import contracts): the page asks for the offer without relief knowing of risk.
"""

from django import template

from risk.selectors import help_offer_of_user

register = template.Library()


@register.inclusion_tag("risk/_help_offer.html", takes_context=True)
def help_offer(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    offer = help_offer_of_user(user) if user is not None and user.is_authenticated else None
    return {"offer": offer}
