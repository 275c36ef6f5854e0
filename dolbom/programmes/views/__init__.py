"""Pages of the programmes app: ``public.py`` for residents (no account), ``staff.py`` for staff."""
