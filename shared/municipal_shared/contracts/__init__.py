"""Contracts that cross service boundaries. Readers ignore unknown fields; fields are only added."""
