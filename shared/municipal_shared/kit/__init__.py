"""The service kit: what every service wires the same way (errors, auth, health, database)."""
