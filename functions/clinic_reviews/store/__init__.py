"""Persistence: pynamodb models of the single table and the repositories the handlers use."""
