"""The routes of ``waybill serve-print`` on one port: the JSON API, the live page, the print component.

Routes (documented in ``openapi.json``, served at ``/openapi.json``)::

    POST /jobs               {"orders": [...], "template": "100x180", "pool": NAME, "shop": {...}?} → 201 {"job": ID}
    GET  /jobs/{job}         {"status": "queued|running|stopped|done", "labels", "printed", "reprints", "printers"}
    POST /jobs/{job}/resume  queue again what the job has not printed
    GET  /printers           the pool's printers: state, fault, queue, printed
    GET  /                   the live page; a WebSocket upgrade on / is the print-component protocol
    GET  /events             server-sent events: the page's data each time it changes

With a token, every route but ``/openapi.json`` wants ``Authorization: Bearer TOKEN``; a browser's
WebSocket or EventSource cannot send that header, so ``?token=TOKEN`` is taken too (the access log never
shows a query string). The blocking work (journal, pool) runs on a thread pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import json
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from importlib import resources
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

from printers.errors import JobError, JobLeaseError, PrinterError
from waybill.app.service.component import Components
from waybill.app.service.core import PrintService, Refused
from waybill.errors import UsageError, WaybillError
from waybill.records import BadJson, strict_json

__all__ = ["EVENT_POLL", "build_app", "spec"]

EVENT_POLL = 0.25  # s between looks at the pool for the live page: a fault shows within this (plus the probe)
T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STOPPING = web.AppKey("stopping", asyncio.Event)


def spec() -> dict[str, Any]:
    """The OpenAPI document of the JSON API."""
    text = resources.files("waybill.app.service").joinpath("openapi.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _page() -> str:
    return resources.files("waybill.app.service").joinpath("page.html").read_text(encoding="utf-8")


def _json(status: int, payload: Any) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(payload, ensure_ascii=False), content_type="application/json", charset="utf-8"
    )


def _error(status: int, message: str, problems: list[str] | None = None) -> web.Response:
    return _json(status, {"error": message} | ({"problems": problems} if problems is not None else {}))


def build_app(service: PrintService, pool: Executor, *, token: str | None, max_body: int) -> web.Application:
    components = Components(service)
    sockets: set[web.WebSocketResponse] = set()  # the print components connected, closed on a stop

    async def run(work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(pool, work)

    def job_id(request: web.Request) -> int:
        try:
            number = int(request.match_info["job"])
        except ValueError:
            raise web.HTTPNotFound() from None
        try:
            if not 0 < number < 2**31 or service.pool.store.pool_job(number).pool != service.pool.name:
                raise web.HTTPNotFound()
        except JobError:
            raise web.HTTPNotFound() from None
        return number

    async def post_job(request: web.Request) -> web.StreamResponse:
        try:
            body = strict_json(await request.text())
        except BadJson as error:
            return _error(400, f"the body is {error}")
        except UnicodeDecodeError:
            return _error(400, "the body is not UTF-8 text")
        if not isinstance(body, dict):
            return _error(400, "the body must be an object {orders, template, pool, shop?}")
        unknown = sorted(set(body) - {"orders", "template", "pool", "shop"})
        problems = [f"{key}: unknown field" for key in unknown]
        orders, template, pool_name, shop = (
            body.get("orders"),
            body.get("template", "100x180"),
            body.get("pool"),
            body.get("shop"),
        )
        if not isinstance(orders, list) or not orders:
            problems.append("orders: must be a non-empty list of orders")
        if not isinstance(template, str):
            problems.append("template: must be a string")
        if pool_name is not None and pool_name != service.pool.name:
            problems.append(f"pool: this service prints on pool {service.pool.name!r}, not {pool_name!r}")
        if shop is not None and not isinstance(shop, dict):
            problems.append("shop: must be an object (a shop profile)")
        if problems or not isinstance(orders, list):
            return _error(422, "the job was refused", problems)
        job = await run(lambda: service.submit_orders(orders, template, shop))
        return _json(201, {"job": job.id})

    async def get_job(request: web.Request) -> web.StreamResponse:
        number = await run(lambda: job_id(request))
        return _json(200, await run(lambda: service.job_json(number)))

    async def resume_job(request: web.Request) -> web.StreamResponse:
        number = await run(lambda: job_id(request))
        await run(lambda: service.pool.resume(number))
        return _json(200, await run(lambda: service.job_json(number)))

    async def printers(request: web.Request) -> web.StreamResponse:
        return _json(200, {"pool": service.pool.name, "printers": await run(service.printers_json)})

    async def openapi(request: web.Request) -> web.StreamResponse:
        return _json(200, spec())

    async def root(request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await component(request)
        return web.Response(text=_page(), content_type="text/html", charset="utf-8")

    async def component(request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse(heartbeat=30.0, max_msg_size=max_body)
        await socket.prepare(request)
        sockets.add(socket)
        loop = asyncio.get_running_loop()
        out: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        def push(message: dict[str, Any]) -> None:  # from any thread
            with contextlib.suppress(RuntimeError):  # the loop is gone: the server stopped
                loop.call_soon_threadsafe(out.put_nowait, message)

        async def send() -> None:
            while True:
                message = await out.get()
                await socket.send_str(json.dumps(message, ensure_ascii=False))

        sender = asyncio.create_task(send())
        try:
            async for message in socket:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    decoded = strict_json(message.data)
                except BadJson as error:
                    push({"status": "failed", "msg": f"a request is a JSON object: this is {error}"})
                    continue
                await run(functools.partial(components.handle, decoded, push))
            await asyncio.sleep(0)  # let the sender flush what is queued
        finally:
            sender.cancel()
            sockets.discard(socket)
        return socket

    async def events(request: web.Request) -> web.StreamResponse:
        stream = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await stream.prepare(request)
        stopping = request.app[STOPPING]
        last = ""
        with contextlib.suppress(ConnectionResetError):
            while not stopping.is_set():
                data = json.dumps(await run(service.snapshot), ensure_ascii=False)
                if data != last:
                    await stream.write(f"data: {data}\n\n".encode())
                    last = data
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), EVENT_POLL)
        return stream

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if token is not None and request.path != "/openapi.json":
            given = request.headers.get("Authorization", "").removeprefix("Bearer ")
            given = given or request.query.get("token", "")
            if not hmac.compare_digest(given.encode(), token.encode()):
                return _error(401, "a bearer token is required (Authorization: Bearer TOKEN)")
        try:
            return await handler(request)
        except Refused as refused:
            return _error(422, "the job was refused", refused.problems)
        except (JobError, JobLeaseError) as error:
            return _error(409, str(error))
        except PrinterError as error:
            return _error(503, str(error))
        except UsageError as error:
            return _error(400, str(error))
        except WaybillError as error:
            return _error(422, str(error))
        except web.HTTPException as error:  # the router's 404 and 405, as JSON
            return _error(error.status, error.reason)

    app = web.Application(client_max_size=max_body, middlewares=[guard])
    app[STOPPING] = asyncio.Event()

    async def on_shutdown(app: web.Application) -> None:
        app[STOPPING].set()
        for socket in list(sockets):
            await socket.close(code=1001, message=b"server stopping")

    app.on_shutdown.append(on_shutdown)
    app.router.add_get("/", root)
    app.router.add_get("/events", events)
    app.router.add_get("/openapi.json", openapi)
    app.router.add_post("/jobs", post_job)
    app.router.add_get("/jobs/{job}", get_job)
    app.router.add_post("/jobs/{job}/resume", resume_job)
    app.router.add_get("/printers", printers)
    return app
