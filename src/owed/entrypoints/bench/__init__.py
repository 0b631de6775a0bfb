"""End-to-end benchmarks that run through the real services and database."""
