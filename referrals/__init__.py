"""Referrals to service providers and their notification outbox."""
