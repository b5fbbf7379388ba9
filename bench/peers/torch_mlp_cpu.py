#!/usr/bin/python3
"""Like torch_mlp.py, but also reports samples per CPU-second (process time), which is less sensitive to a shared,
overloaded machine than wall time. Usage: /usr/bin/python3 bench/peers/torch_mlp_cpu.py THREADS SECONDS"""
import sys, time
import torch
threads, seconds = int(sys.argv[1]), float(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(1)
batch, batches = 256, 16
x = torch.randn(batch * batches, 8)
y = torch.sin(x * torch.arange(1, 9, dtype=torch.float32)).sum(dim=1, keepdim=True)
model = torch.nn.Sequential(torch.nn.Linear(8, 64), torch.nn.Tanh(), torch.nn.Linear(64, 64), torch.nn.Tanh(), torch.nn.Linear(64, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.MSELoss()
def step(i):
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model(x[i * batch:(i + 1) * batch]), y[i * batch:(i + 1) * batch])
    loss.backward()
    opt.step()
for i in range(400):
    step(i % batches)
n = 0
c0, t0 = time.process_time(), time.perf_counter()
while time.perf_counter() - t0 < seconds:
    for i in range(batches):
        step(i)
    n += batches
cpu, wall = time.process_time() - c0, time.perf_counter() - t0
print(f"torch {torch.__version__} threads={threads}: {n * batch / wall:,.0f} samples/s wall, {n * batch / cpu:,.0f} samples per CPU-second")
