"""Service track: survivor cases, encrypted and consent-gated."""
