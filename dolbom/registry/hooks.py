"""Points where higher apps take part in registry writes (see dolbom/lib/hooks.py)."""

from dolbom.lib.hooks import Hook

consent_withdrawn = Hook(
    "registry.consent_withdrawn",
    "Run inside consent_withdraw's transaction with actor= and consent=; referrals ends the referrals that "
    "relied on the consent.",
)
