"""Collections: aging, dunning, promises and payment plans, the worklist, write-offs.

Pure domain code: each module takes plain input values and a date, and
returns result values that carry their reasons. Services load the data and
record the outcome.
"""
