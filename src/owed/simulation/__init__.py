"""Synthetic but realistic data for measuring Owed; imports ``owed.domain`` only."""
