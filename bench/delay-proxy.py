#!/usr/bin/python3
"""delay-proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT DELAY_MS PORT_FILE

A loopback TCP proxy that holds every chunk for DELAY_MS in each
direction, so one round trip through it costs 2 * DELAY_MS more than
without it.  Order is preserved.  Exits after --max-seconds (60).
Used by bench/probe-rtt.sh to count round trips."""
import asyncio
import os
import sys


async def pump(reader, writer, delay):
    queue = asyncio.Queue()

    async def sender():
        loop = asyncio.get_running_loop()
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        try:
            writer.write_eof()
        except OSError:
            pass

    task = asyncio.create_task(sender())
    loop = asyncio.get_running_loop()
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            queue.put_nowait((loop.time() + delay, data))
    except OSError:
        pass
    queue.put_nowait((loop.time() + delay, None))
    try:
        await task
    except OSError:
        pass


async def main():
    lport, thost, tport, delay_ms, pfile = sys.argv[1:6]
    delay = int(delay_ms) / 1000.0

    async def handle(creader, cwriter):
        try:
            sreader, swriter = await asyncio.open_connection(thost, int(tport))
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(pump(creader, swriter, delay), pump(sreader, cwriter, delay))
        cwriter.close()
        swriter.close()

    server = await asyncio.start_server(handle, "127.0.0.1", int(lport))
    port = server.sockets[0].getsockname()[1]
    tmp = pfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.rename(tmp, pfile)
    async with server:
        await asyncio.sleep(60)


asyncio.run(main())
