"""Monitoring track: incidents, violations, perpetrators (de-identified by design)."""
