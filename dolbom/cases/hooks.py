"""Points where higher apps take part in case writes (see dolbom/lib/hooks.py)."""

from dolbom.lib.hooks import Hook

case_closed = Hook(
    "cases.case_closed",
    "Run inside case_close's transaction with actor= and case=; referrals ends the case's referrals, so no "
    "partner keeps an accepted client whose case is closed.",
)
