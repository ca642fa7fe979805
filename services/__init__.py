"""Saphan's four services: intake, referral, documents and audit, each with the same shape."""
