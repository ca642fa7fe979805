"""The do-nothing baseline: a FastAPI `POST /cases` that reads any JSON body and answers 201 with a new id.

Run: python -m bench.noop_app --port N (one uvicorn process, served as the services are).
"""

import argparse
import uuid
from typing import Annotated, Any

import uvicorn
from fastapi import Body, FastAPI

app = FastAPI(title="Saphan benchmark baseline", description="An endpoint that does nothing.")


@app.post("/cases", status_code=201)
async def post_case(body: Annotated[dict[str, Any], Body()]) -> dict[str, str]:
    """Accept any JSON object and answer with a new case id; nothing is checked or stored."""
    return {"case_id": str(uuid.uuid4())}


def main(argv: list[str] | None = None) -> None:
    """Serve the baseline on one process until stopped."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=5)


if __name__ == "__main__":
    main()
