"""Serves a register image with pymodbus (Debian python3-pymodbus) for interoperability tests.

usage: /usr/bin/python3 pymodbus_server.py PORT IMAGE.json
IMAGE.json: {"unit": 1, "blocks": [{"address": 40000, "values": [21365, 28243, ...]}]}
Addresses are PDU addresses (zero_mode=True): register 40000 is requested as address 40000.
Prints "ready" once listening.
"""
import asyncio
import json
import sys

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext, ModbusSequentialDataBlock
from pymodbus.server import StartAsyncTcpServer


async def main():
    port = int(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        image = json.load(f)
    lo = min(b["address"] for b in image["blocks"])
    hi = max(b["address"] + len(b["values"]) for b in image["blocks"])
    values = [0] * (hi - lo)
    for b in image["blocks"]:
        values[b["address"] - lo:b["address"] - lo + len(b["values"])] = b["values"]
    slave = ModbusSlaveContext(hr=ModbusSequentialDataBlock(lo, values), zero_mode=True)
    context = ModbusServerContext(slaves={image["unit"]: slave}, single=False)
    server = await StartAsyncTcpServer(context, address=("127.0.0.1", port), defer_start=True)
    print("ready", flush=True)
    await server.serve_forever()


asyncio.run(main())
