"""Audit: appends every case event to a ledger, once, and replays a case's history as the legal trail."""
