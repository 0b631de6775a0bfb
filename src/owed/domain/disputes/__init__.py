"""Disputes and deductions: reason codes, the status machine, SLA and metrics."""
