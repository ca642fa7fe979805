"""Referral: routes cases between the four agencies and follows them through the case-management steps."""
