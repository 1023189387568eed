"""The baseline for HTTP benchmarks: the smallest Litestar app, served the same way as Lift."""

from litestar import Litestar, get, post


@get("/json", sync_to_thread=False)
def read_json() -> dict[str, bool]:
    return {"ok": True}


@post("/json", sync_to_thread=False)
def write_json() -> dict[str, bool]:
    return {"ok": True}


app = Litestar(route_handlers=[read_json, write_json], openapi_config=None)
