"""Refuse to serve with a configuration that gives strangers tokens: the built-in development
secret is published in this repository, so anyone who reaches a service that verifies with it
can sign a token with every scope. It is fine on a loopback address (a developer's machine,
the test suites), never on an address others reach. Production refuses it in AuthSettings."""

from __future__ import annotations

import ipaddress

from municipal_shared.kit.settings import AuthSettings, ServiceSettings


class UnsafeConfiguration(RuntimeError):
    """The service must not start with these settings; the message names the variables."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: others may resolve it to this machine
        return False


def refuse_unsafe_serving(settings: ServiceSettings, auth: AuthSettings) -> None:
    if auth.mode != "development" or not auth.uses_built_in_secret or is_loopback(settings.host):
        return
    host_variable = f"{settings.model_config.get('env_prefix', '')}HOST"
    raise UnsafeConfiguration(
        f"AUTH_DEV_SECRET is the built-in development secret and {host_variable}="
        f"{settings.host} is not a loopback address: anyone who reaches the service could sign "
        f"tokens. Set AUTH_DEV_SECRET to a long random value, serve on 127.0.0.1, or use "
        f"AUTH_MODE=production."
    )
