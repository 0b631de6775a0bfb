"""Adapters: the database, bank and remittance files, documents, mail, clocks."""
