"""ETag and If-Match: every write to an existing resource names the state it was based on.

An ETag is the resource's kind, id and row version; the row version is also the mapper's
version_id_col, so two writers that pass the check at the same moment still cannot both win.
"""

from __future__ import annotations

from municipal_shared.kit.problems import PreconditionFailed, PreconditionRequired


def make_etag(kind: str, ident: int | str, row_version: int) -> str:
    return f'"{kind}-{ident}-{row_version}"'


def check_if_match(if_match: str | None, current_etag: str) -> None:
    if if_match is None:
        raise PreconditionRequired(
            f"Send If-Match: {current_etag} (the ETag you read) to change this resource",
            current_etag=current_etag,
        )
    candidates = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" in candidates or current_etag in candidates:
        return
    raise PreconditionFailed(
        "The resource was changed by someone else since you read it; read it again",
        current_etag=current_etag,
    )
