"""The incidents API (DRF): /api/v1/incidents/..., /api/v1/locations/, /api/v1/parties/."""
