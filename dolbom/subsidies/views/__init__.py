"""Pages of the subsidies app: the officers' pages (staff.py) and the public ones (public.py)."""
