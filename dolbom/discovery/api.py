"""API endpoints of the discovery app (mounted on the one dolbom API)."""

from ninja import Router

router = Router(tags=["discovery"])
