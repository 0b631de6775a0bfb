"""Reporting: KPIs exactly as the AR guide defines them, and the cash forecast."""
