"""Use cases: plain functions taking a command and a unit of work.

They check permissions and segregation of duties, call the domain, persist
through the unit of work's repositories, record audit events, and are the
only code that commits.
"""
