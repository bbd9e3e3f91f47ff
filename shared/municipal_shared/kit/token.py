"""`python -m municipal_shared.kit.token --scope budget:write` prints a development token."""

from __future__ import annotations

import argparse
import sys

from municipal_shared.kit.auth import issue_development_token
from municipal_shared.kit.settings import AuthSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print a development bearer token.")
    parser.add_argument("--scope", default="", help="space or comma separated scopes")
    parser.add_argument("--subject", default="developer@localhost")
    parser.add_argument("--minutes", type=int, default=480)
    args = parser.parse_args(argv)
    settings = AuthSettings()
    if settings.mode != "development":
        print("AUTH_MODE is production: tokens come from the identity provider", file=sys.stderr)
        return 2
    scopes = [s for s in args.scope.replace(",", " ").split() if s]
    print(issue_development_token(settings, scopes, args.subject, args.minutes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
