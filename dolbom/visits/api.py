"""API endpoints of the visits app (mounted on the one dolbom API)."""

from ninja import Router

router = Router(tags=["visits"])
