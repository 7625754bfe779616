"""Data parallelism: what DistributedDataParallel averages, no_sync() for gradient accumulation,
identical parameters on every rank, and a loss normalised by tokens across ranks.

Every example starts two processes; run it as a file (python ddp_accumulation.py), not in a
notebook, which cannot start processes that run the functions it defines.
"""

# --8<-- [start:imports]
import contextlib
import copy
import os
import tempfile

import torch
import torch.distributed as dist
# Imported before any process group exists, or the default argument group=group.WORLD of its
# functions would keep the group alive after destroy_process_group().
import torch.distributed.nn  # noqa: F401
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP
# --8<-- [end:imports]


# --8<-- [start:launch] setup: imports
WORLD_SIZE = 2  # two processes, ranks 0 and 1


def run(rank, worker, folder):
    # The ranks meet through a file in a folder that the parent made (no network port).
    store = dist.FileStore(os.path.join(folder, "store"), WORLD_SIZE)
    dist.init_process_group("gloo", store=store, rank=rank, world_size=WORLD_SIZE)
    try:
        worker(rank)
    finally:
        dist.destroy_process_group()


def launch(worker):
    """Run worker(rank) in WORLD_SIZE new processes; return when all of them have ended."""
    with tempfile.TemporaryDirectory() as folder:
        mp.spawn(run, args=(worker, folder), nprocs=WORLD_SIZE)


def gather(tensor):
    """Every rank's tensor, in rank order (a collective: every rank must call it)."""
    tensors = [torch.empty_like(tensor) for _ in range(WORLD_SIZE)]
    dist.all_gather(tensors, tensor)
    return tensors


def flat(tensors):
    """The tensors as one vector (the gradients or parameters of a model)."""
    return torch.cat([t.detach().flatten() for t in tensors])


def ulps(a, b):
    """How many float32 values apart a and b are, at most (entries of the same sign)."""
    assert torch.equal(a.sign(), b.sign())
    return (a.view(torch.int32) - b.view(torch.int32)).abs().max().item()
# --8<-- [end:launch]


# --8<-- [start:average] setup: launch
def average(rank):
    torch.manual_seed(0)  # the same data and the same model on both ranks
    x, y = torch.randn(8, 3), torch.randn(8, 1)
    model = torch.nn.Linear(3, 1)
    whole = copy.deepcopy(model)  # one process, all 8 samples
    alone = copy.deepcopy(model)  # this rank's 4 samples, without DDP
    if rank == 1:
        torch.nn.init.zeros_(model.weight)  # rank 1's model differs; DDP(model) overwrites it
    ddp = DDP(model)
    start = gather(flat(ddp.parameters()))
    mine = slice(4 * rank, 4 * rank + 4)

    F.mse_loss(alone(x[mine]), y[mine]).backward()
    F.mse_loss(ddp(x[mine]), y[mine]).backward()  # DDP all-reduces during backward()
    F.mse_loss(whole(x), y).backward()

    own = gather(flat(p.grad for p in alone.parameters()))
    synced = gather(flat(p.grad for p in ddp.parameters()))
    if rank == 0:
        reference = flat(p.grad for p in whole.parameters())
        print("rank 1's parameters after DDP(model) are rank 0's:", torch.equal(*start))
        rows = [("rank 0, its 4 samples", own[0]), ("rank 1, its 4 samples", own[1]),
                ("DDP, rank 0", synced[0]), ("DDP, rank 1", synced[1]),
                ("one process, 8 samples", reference)]
        print(f"{'gradient (weight, bias)':<24}", *(f"{n:>8}" for n in ("w1", "w2", "w3", "b")))
        for name, grad in rows:
            print(f"{name:<24}", *(f"{v:8.5f}" for v in grad.tolist()))
        mean = (own[0] + own[1]) / 2
        print("DDP == (rank 0 + rank 1) / 2, bit for bit:", torch.equal(synced[0], mean))
        print("DDP vs one process: up to", ulps(synced[0], reference), "ulp")


if __name__ == "__main__":
    launch(average)
# --8<-- [end:average]


# --8<-- [start:no_sync] setup: launch
def counting_all_reduce(counter, bucket):
    """DDP's default all-reduce, counted: a hook must divide by the world size itself."""
    counter["calls"] += 1
    grads = bucket.buffer().div_(WORLD_SIZE)
    future = dist.all_reduce(grads, async_op=True).get_future()
    return future.then(lambda done: done.value()[0])


def accumulate(rank):
    torch.manual_seed(0)
    steps = [(torch.randn(12, 3), torch.randn(12, 1)) for _ in range(2)]  # 2 steps of 12 samples
    start = torch.nn.Linear(3, 1)
    mine = slice(6 * rank, 6 * rank + 6)  # 6 samples per rank and step: 3 micro-batches of 2

    def train(no_sync_around="forward and backward", hook=True):
        ddp = DDP(copy.deepcopy(start))
        counter = {"calls": 0}
        if hook:
            ddp.register_comm_hook(counter, counting_all_reduce)
        opt = torch.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
        calls = []
        for x, y in steps:
            micro_batches = list(zip(x[mine].split(2), y[mine].split(2)))
            for i, (xb, yb) in enumerate(micro_batches):
                last = i == len(micro_batches) - 1
                no_sync = contextlib.nullcontext() if last else ddp.no_sync()
                if no_sync_around == "forward and backward":  # the usual loop
                    with no_sync:
                        loss = F.mse_loss(ddp(xb), yb) / len(micro_batches)
                        loss.backward()
                elif no_sync_around == "backward":  # the forward pass outside no_sync()
                    loss = F.mse_loss(ddp(xb), yb) / len(micro_batches)
                    with no_sync:
                        loss.backward()
                else:  # no no_sync() at all
                    loss = F.mse_loss(ddp(xb), yb) / len(micro_batches)
                    loss.backward()
            opt.step()
            opt.zero_grad()
            calls.append(counter["calls"] - sum(calls))
        return flat(ddp.parameters()), calls

    params, calls = train()
    every, calls_every = train(no_sync_around="nothing")
    _, calls_late = train(no_sync_around="backward")
    default, _ = train(hook=False)

    one = copy.deepcopy(start)  # one process, all 12 samples of each step
    opt = torch.optim.SGD(one.parameters(), lr=0.1, momentum=0.9)
    for x, y in steps:
        F.mse_loss(one(x), y).backward()
        opt.step()
        opt.zero_grad()

    on_each_rank = gather(params)
    if rank == 0:
        print("all-reduces in each step:")
        print("  no_sync() on all micro-batches but the last:", calls)
        print("  no no_sync():                               ", calls_every)
        print("  forward outside no_sync(), backward inside: ", calls_late)
        print("after 2 steps, no_sync() vs:")
        print("  no no_sync():                        ", ulps(params, every), "ulp")
        print("  one process, 12 samples a step:      ", ulps(params, flat(one.parameters())), "ulp")
        print("  DDP's own all-reduce (no hook), equal:", torch.equal(params, default))
        print("parameters identical on both ranks:", torch.equal(on_each_rank[0], on_each_rank[1]))


if __name__ == "__main__":
    launch(accumulate)
# --8<-- [end:no_sync]


# --8<-- [start:tokens] setup: launch
TOKENS = [[8, 1], [2, 3]]  # real tokens in each micro-batch: rank 0's two, rank 1's two


def normalise(rank):
    torch.manual_seed(0)  # every rank makes every rank's data: rank 0 also trains on all of it
    x = torch.randn(WORLD_SIZE, 2, 10, 4)  # [rank, micro-batch, position, feature]
    labels = torch.randint(5, (WORLD_SIZE, 2, 10))
    for r, counts in enumerate(TOKENS):
        for m, n in enumerate(counts):
            labels[r, m, n:] = -100  # padding: cross_entropy leaves these positions out
    start = torch.nn.Linear(4, 5)  # 5 classes

    def gradient(loss_of, scale_after=1.0):
        ddp = DDP(copy.deepcopy(start))
        total = torch.zeros(())
        for m in range(2):
            with ddp.no_sync() if m == 0 else contextlib.nullcontext():
                loss = loss_of(ddp(x[rank, m]), labels[rank, m])
                loss.backward()
            total += loss.detach()
        for p in ddp.parameters():
            p.grad *= scale_after  # after the all-reduce
        dist.all_reduce(total)  # the loss whose gradient DDP's average is
        return total.item() / WORLD_SIZE * scale_after, flat(p.grad for p in ddp.parameters())

    mine = torch.tensor(sum(TOKENS[rank]))  # this rank's real tokens
    everyone = mine.clone()
    dist.all_reduce(everyone)  # the real tokens of every rank
    summed = lambda z, t: F.cross_entropy(z, t, reduction="sum")
    T, R = everyone.item(), WORLD_SIZE
    results = {
        "mean per micro-batch / 2": gradient(lambda z, t: F.cross_entropy(z, t) / 2),
        "sum / the rank's tokens": gradient(lambda z, t: summed(z, t) / mine),
        f"sum / {T} x {R}": gradient(lambda z, t: summed(z, t) / T * R),
        f"sum, then gradient x {R} / {T}": gradient(summed, scale_after=R / T),
    }

    if rank == 0:
        one = copy.deepcopy(start)  # one process, every token of both ranks
        loss = F.cross_entropy(one(x.reshape(-1, 4)), labels.reshape(-1))
        loss.backward()
        reference = flat(p.grad for p in one.parameters())
        print("real tokens per micro-batch:", TOKENS, "in all:", T)
        print(f"{'':28} {'loss':>7}  max |gradient - one process|")
        print(f"{'one process, mean':28} {loss.item():7.4f}  "
              f"(largest entry: {reference.abs().max().item():.1e})")
        for name, (value, grad) in results.items():
            error = (grad - reference).abs().max().item()
            # below 1e-6: float32 rounding, whose digits depend on the machine
            print(f"{name:28} {value:7.4f}  {f'{error:.1e}' if error >= 1e-6 else '< 1e-6'}")


if __name__ == "__main__":
    launch(normalise)
# --8<-- [end:tokens]
