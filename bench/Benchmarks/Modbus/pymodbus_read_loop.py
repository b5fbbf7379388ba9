"""Co-process for the Modbus benchmark: a pymodbus (Debian python3-pymodbus) TCP client that, for each line N read on stdin,
performs N reads of 125 holding registers from 40000 on one persistent connection and answers "done <seconds>".

usage: /usr/bin/python3 pymodbus_read_loop.py HOST PORT UNIT
"""
import sys
import time

from pymodbus.client import ModbusTcpClient

client = ModbusTcpClient(sys.argv[1], port=int(sys.argv[2]))
if not client.connect():
    print("error: cannot connect", flush=True)
    sys.exit(1)
unit = int(sys.argv[3])
print("ready", flush=True)
for line in sys.stdin:
    n = int(line)
    start = time.perf_counter()
    for _ in range(n):
        reply = client.read_holding_registers(40000, 125, slave=unit)
        if reply.isError() or len(reply.registers) != 125:
            print("error: bad reply", flush=True)
            sys.exit(2)
    print("done %.6f" % (time.perf_counter() - start), flush=True)
client.close()
