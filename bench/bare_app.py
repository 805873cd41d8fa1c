"""The yardstick of `make bench`: a bare FastAPI app with one async /health, nothing else.

bench/run.py serves it the best way uvicorn can (uvloop, httptools, no access log) beside the
service, and reports every HTTP figure of the service as a ratio to this app's.
"""

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
