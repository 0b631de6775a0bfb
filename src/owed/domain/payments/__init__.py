"""Receipts and the bank statement lines they come from."""
