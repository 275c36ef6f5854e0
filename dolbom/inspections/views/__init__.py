"""Pages of the inspections app, by part: facilities, inspections, follow-up, rounds and reports, the
centre's settings, and the tablet's offline page (field.py)."""
