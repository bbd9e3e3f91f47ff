"""Shared contracts and service kit for the municipal steering services.

`municipal_shared.types` and `municipal_shared.contracts` are the wire schemas every service
and every client reads; `municipal_shared.kit` is the plumbing each service uses the same way.
No service logic lives here and nothing here imports a service.
"""

# The version of the three services' HTTP API (every OpenAPI document carries it), declared
# once: a change to any service's contract bumps it here.
API_VERSION = "1.1.0"
