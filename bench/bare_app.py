"""The yardstick of `make bench`: a bare FastAPI app, nothing of the service in it.

bench/run.py serves it the best way uvicorn can (uvloop, httptools, no access log) beside the
service, and reports every HTTP figure of the service as a ratio to this app's ``/health``.

``POST /v1/quotes`` is the floor of a quote: it reads the body and answers with a fixed JSON
of the size of the service's answer to bench/quote.lua, doing no other work. What the service's
quote costs beyond it (server CPU per request, in the bench's table) is the quote's own work.
"""

from fastapi import FastAPI, Request, Response

# The service's answer to bench/quote.lua is 11 611 bytes (the golden answers pin it).
QUOTE_ANSWER_BYTES = 11_611
_PADDED = b'{"padding":"' + b"x" * (QUOTE_ANSWER_BYTES - len(b'{"padding":""}')) + b'"}'

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/quotes")
async def quote_sized(request: Request) -> Response:
    await request.body()
    return Response(_PADDED, media_type="application/json")
