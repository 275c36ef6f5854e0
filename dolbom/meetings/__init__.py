"""Integrated support meetings, councils and their action items."""
