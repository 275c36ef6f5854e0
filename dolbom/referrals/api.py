"""API endpoints of the referrals app (mounted on the one dolbom API)."""

from ninja import Router

router = Router(tags=["referrals"])
