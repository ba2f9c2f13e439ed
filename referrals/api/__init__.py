"""The referrals API: /api/v1/referrals/... and the service directory, /api/v1/providers/..."""
