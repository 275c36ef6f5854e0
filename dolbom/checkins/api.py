"""API endpoints of the checkins app (mounted on the one dolbom API)."""

from ninja import Router

router = Router(tags=["checkins"])
