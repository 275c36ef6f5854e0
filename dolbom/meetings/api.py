"""API endpoints of the meetings app (mounted on the one dolbom API)."""

from ninja import Router

router = Router(tags=["meetings"])
