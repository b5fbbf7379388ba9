#!/usr/bin/python3
"""PyTorch peer of bench/Benchmarks/Learning/MlpTrainingBenchmark: MLP 8->64->64->1 (tanh), batch 256, Adam, MSE.
Run with Debian's interpreter: /usr/bin/python3 bench/peers/torch_mlp.py [--threads 2] [--seconds 10]
Prints samples/s of wall time and samples per CPU-second (process time): the second is less distorted when the
shared machine is overloaded."""
import argparse, time
import torch

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seconds", type=float, default=10.0)
a = p.parse_args()
torch.set_num_threads(a.threads)
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
while time.perf_counter() - t0 < a.seconds:
    for i in range(batches):
        step(i)
    n += batches
cpu, wall = time.process_time() - c0, time.perf_counter() - t0
print(f"torch {torch.__version__} threads={a.threads}: {n * batch / wall:,.0f} samples/s wall ({wall / n * 1e6:,.0f} us per step), "
      f"{n * batch / cpu:,.0f} samples per CPU-second")
