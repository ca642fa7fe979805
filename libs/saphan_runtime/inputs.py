"""A check of every request's text before a service looks anything up with it: no NUL character (U+0000), which
PostgreSQL cannot store or compare (the driver fails, and the caller would get a 500 instead of its mistake named)."""

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

NUL = "\x00"
MESSAGE = "text must not contain the NUL character (U+0000) / ข้อความต้องไม่มีอักขระ NUL"


async def refuse_nul_characters(request: Request) -> None:
    """Refuse a request whose path, query or JSON body holds a NUL character, with 422 naming each place."""
    found: list[tuple[str | int, ...]] = [("path", name) for name, value in request.path_params.items()
                                          if NUL in str(value)]
    found += [("query", name) for name, value in request.query_params.multi_items() if NUL in name + value]
    if "json" in request.headers.get("content-type", "") and (body := await request.body()):
        with contextlib.suppress(ValueError):  # not JSON: FastAPI has answered that already
            found += [("body", *place) for place in places_of_nul(json.loads(body))]
    if found:
        raise RequestValidationError([{"loc": place, "msg": MESSAGE, "type": "nul_character"} for place in found])


def places_of_nul(value: Any, at: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Yield where a NUL character is in a JSON value: the path to each string or key holding one."""
    if isinstance(value, str):
        if NUL in value:
            yield at
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from places_of_nul(item, (*at, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                yield (*at, key)
            yield from places_of_nul(item, (*at, key))
