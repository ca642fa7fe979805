"""Intake: takes reports, opens cases and publishes what was reported."""
