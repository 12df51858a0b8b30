"""OpenAPI links: how a client goes from one response to the operations it leads to."""

from __future__ import annotations

from typing import Any


def link(operation_id: str, description: str, **parameters: str) -> dict[str, Any]:
    """A link to ``operation_id`` whose parameters are fields of the response body.

    ``link("list_votes", "...", ballot_id="id")`` fills the ``ballot_id`` parameter of
    ``list_votes`` from the response's ``id``.
    """
    return {
        "operationId": operation_id,
        "parameters": {name: f"$response.body#/{field}" for name, field in parameters.items()},
        "description": description,
    }
