"""Numbers the law fixes, and the standard assessment items."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# First follow-up within 90 days of the first plan; the city sets later intervals up to 183 days.
FIRST_FOLLOW_UP_MAX_DAYS = 90
FOLLOW_UP_MAX_DAYS = 183

# K-ADL (7 items) and K-IADL (10 items), scored 1 independent, 2 partly dependent, 3 fully dependent.
ADL_ITEMS: dict[str, str] = {
    "dressing": _("Dressing"),
    "washing_face": _("Washing face and hands"),
    "bathing": _("Bathing"),
    "eating": _("Eating"),
    "transfer": _("Moving from bed"),
    "toileting": _("Using the toilet"),
    "continence": _("Bladder and bowel control"),
}
IADL_ITEMS: dict[str, str] = {
    "grooming": _("Grooming"),
    "housework": _("Housework"),
    "meal_preparation": _("Preparing meals"),
    "laundry": _("Laundry"),
    "going_out": _("Going out nearby"),
    "transport": _("Using transport"),
    "shopping": _("Shopping"),
    "money": _("Managing money"),
    "telephone": _("Using the telephone"),
    "medication": _("Taking medication"),
}
SCORES = (1, 2, 3)
