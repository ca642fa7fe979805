"""Saphan's event contracts: data only (the envelope, topic names, versioned event models, JSON Schemas)."""
