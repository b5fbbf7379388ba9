#!/usr/bin/python3
"""PyTorch peer of bench/Benchmarks/Learning/MlpTrainingBenchmark: MLP 8->64->64->1 (tanh), batch 256, Adam, MSE.
Run with Debian's interpreter: /usr/bin/python3 bench/peers/torch_mlp.py [--threads 2] [--seconds 10]
Prints samples/s (median of 5 timed rounds) and microseconds per step."""
import argparse, statistics, time
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
    xb = x[i * batch:(i + 1) * batch]
    yb = y[i * batch:(i + 1) * batch]
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model(xb), yb)
    loss.backward()
    opt.step()

for i in range(200):
    step(i % batches)
rounds = []
per_round = a.seconds / 5
for r in range(5):
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < per_round:
        for i in range(batches):
            step(i)
        n += batches
    dt = time.perf_counter() - t0
    rounds.append(n * batch / dt)
sps = statistics.median(rounds)
print(f"torch {torch.__version__} threads={a.threads}: {sps:,.0f} samples/s ({batch / sps * 1e6:,.0f} us per step)")
