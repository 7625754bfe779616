"""Sharded optimizer state: ZeroRedundancyOptimizer, FSDP2's fully_shard, and their checkpoints.

Every block is a program that starts two processes (torch.multiprocessing.spawn) joined in one
gloo process group on the CPU; only rank 0 prints.
"""

# --8<-- [start:launch]
import os
import sys
import tempfile

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

WORLD_SIZE = 2


def launch(worker):
    """Run worker(rank, folder) in WORLD_SIZE processes that form one process group."""
    with tempfile.TemporaryDirectory() as folder:  # shared by the processes, removed at the end
        mp.spawn(join_and_run, args=(worker, folder), nprocs=WORLD_SIZE)


def join_and_run(rank, worker, folder):
    store = "file://" + os.path.join(folder, "store")  # the rendezvous: a file, no port to choose
    dist.init_process_group("gloo", init_method=store, rank=rank, world_size=WORLD_SIZE)
    worker(rank, folder)
    dist.barrier()  # no process leaves the group while another still works in it
    dist.destroy_process_group()
    # End the process without Python's shutdown, which a thread of gloo that outlives
    # destroy_process_group() can abort (see "The programs on this page").
    sys.stdout.flush()
    os._exit(0)


def gather(value):
    """The value of every rank, in rank order, on every rank."""
    values = [None] * WORLD_SIZE
    dist.all_gather_object(values, value)
    return values


def make_model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1))


def batch(step, rank=None):
    """The batch of a step: 8 samples; with a rank, that rank's half of them."""
    generator = torch.Generator().manual_seed(step)
    x, y = torch.randn(8, 4, generator=generator), torch.randn(8, 1, generator=generator)
    if rank is None:
        return x, y
    return x.chunk(WORLD_SIZE)[rank], y.chunk(WORLD_SIZE)[rank]


def train(model, opt, steps, rank=None):
    for step in steps:
        x, y = batch(step, rank)
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()


def difference(params, other_params):
    """'bit-exact', or the largest |a - b| and how many float32 steps (ulps) apart a and b are there."""
    a = torch.cat([p.detach().flatten() for p in params])
    b = torch.cat([p.detach().flatten() for p in other_params])
    if torch.equal(a, b):
        return "bit-exact"
    i = (a - b).abs().argmax()
    ulps = (a[i].view(torch.int32) - b[i].view(torch.int32)).abs().item()  # same sign: ulps apart
    return f"max |diff| {(a[i] - b[i]).abs():.1e}, {ulps} ulp of the value there ({b[i]:.4f})"
# --8<-- [end:launch]


# --8<-- [start:zero] setup: launch
from torch.distributed.optim import ZeroRedundancyOptimizer
from torch.nn.parallel import DistributedDataParallel as DDP


def zero_worker(rank, folder):
    model = DDP(make_model())
    opt = ZeroRedundancyOptimizer(model.parameters(), optimizer_class=torch.optim.Adam, lr=0.01)
    twin = DDP(make_model())  # the same start, with a whole Adam on every rank
    twin_opt = torch.optim.Adam(twin.parameters(), lr=0.01)
    train(model, opt, range(3), rank)
    train(twin, twin_opt, range(3), rank)

    names = {p: name for name, p in model.module.named_parameters()}
    local = [p for group in opt.optim.param_groups for p in group["params"]]  # this rank's Adam
    owned = gather((", ".join(names[p] for p in local), sum(p.numel() for p in local),
                    ", ".join(str(tuple(opt.optim.state[p]["exp_avg"].shape)) for p in local)))
    listed = gather(sum(len(group["params"]) for group in opt.param_groups))
    params = gather([p.detach() for p in model.parameters()])

    opt.consolidate_state_dict(to=0)  # a collective: every rank calls it, rank 0 receives
    try:
        saved = opt.state_dict()
    except RuntimeError as error:
        saved = str(error).split(". ")[0]
    saved = gather(saved)  # rank 0's dict, now on every rank too
    twin_state = twin_opt.state_dict()["state"]
    saved_keys = list(saved[0]["state"])
    same_state = all(torch.equal(saved[0]["state"][i][key], twin_state[i][key])
                     for i in twin_state for key in twin_state[i])
    fresh = ZeroRedundancyOptimizer(make_model().parameters(), optimizer_class=torch.optim.Adam, lr=0.01)
    fresh.load_state_dict(saved[0])  # the whole state, on every rank
    entries = gather(len(fresh.optim.state))

    if rank == 0:
        for r, (steps, numel, shapes) in enumerate(owned):
            print(f"rank {r}: its Adam steps {steps} ({numel} elements); exp_avg {shapes}")
        print("opt.param_groups lists, on each rank:", listed, "parameters")
        single = make_model()
        single_opt = torch.optim.Adam(single.parameters(), lr=0.01)
        train(single, single_opt, range(3))  # one process, whole batches
        print("after 3 steps, rank 1 vs rank 0:", difference(params[1], params[0]))
        print("after 3 steps, vs DDP with a whole Adam:", difference(model.parameters(), twin.parameters()))
        print("after 3 steps, vs one process:", difference(model.parameters(), single.parameters()))
        print("state_dict() on rank 0: state of", saved_keys, "| equal to the whole Adam's:", same_state)
        print("state_dict() on rank 1:", saved[1])
        print("a fresh optimizer after load_state_dict(): entries in each rank's Adam:", entries)

    # a fourth step, with no new consolidate_state_dict(): which entries of state_dict() change?
    kept = {i: s["exp_avg"].clone() for i, s in opt.state_dict()["state"].items()} if rank == 0 else None
    train(model, opt, [3], rank)
    if rank == 0:
        later = opt.state_dict()["state"]
        print("after a 4th step, no new consolidate_state_dict(): entries of state_dict() changed:",
              [i for i in later if not torch.equal(later[i]["exp_avg"], kept[i])])


if __name__ == "__main__":
    launch(zero_worker)
# --8<-- [end:zero]


# --8<-- [start:fsdp] setup: launch
from torch.distributed.fsdp import fully_shard
from torch.nn.parallel import DistributedDataParallel as DDP


def storage(tensor):
    """How many elements the memory under a tensor holds."""
    return tensor.untyped_storage().nbytes() // tensor.element_size()


def fsdp_worker(rank, folder):
    model = make_model()
    fully_shard(model)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    twin = DDP(make_model())  # the same start, not sharded
    twin_opt = torch.optim.Adam(twin.parameters(), lr=0.01)
    train(model, opt, range(3), rank)
    train(twin, twin_opt, range(3), rank)

    rows = []
    for p in model.parameters():
        shard, exp_avg = p.to_local(), opt.state[p]["exp_avg"].to_local()
        rows.append([f"{tuple(t.shape)} in {storage(t)}" for t in (shard, exp_avg)])
    rows = gather(rows)
    whole = [p.full_tensor() for p in model.parameters()]  # a collective: all-gathers the shards

    if rank == 0:
        p = model[0].weight
        state = opt.state[p]
        print("0.weight:", type(p).__name__, p.placements, "| grad:", type(p.grad).__name__,
              "local", tuple(p.grad.to_local().shape), "| exp_avg:", type(state["exp_avg"]).__name__,
              "| step:", type(state["step"]).__name__, state["step"])
        print(f"{'':9}{'shape':8}{'rank 0: param':15}{'exp_avg':15}{'rank 1: param':15}exp_avg")
        for i, (name, p) in enumerate(model.named_parameters()):
            cells = rows[0][i] + rows[1][i]
            print(f"{name:9}{str(tuple(p.shape)):8}" + "".join(f"{cell:14} " for cell in cells).rstrip())
        single = make_model()
        single_opt = torch.optim.Adam(single.parameters(), lr=0.01)
        train(single, single_opt, range(3))  # one process, whole batches
        print("after 3 steps, vs DDP with a whole Adam:", difference(whole, twin.parameters()))
        print("after 3 steps, vs one process:", difference(whole, single.parameters()))


if __name__ == "__main__":
    launch(fsdp_worker)
# --8<-- [end:fsdp]


# --8<-- [start:checkpoint] setup: launch
import torch.distributed.checkpoint as dcp
from torch.distributed.checkpoint.state_dict import (
    StateDictOptions,
    get_model_state_dict,
    get_optimizer_state_dict,
    set_model_state_dict,
    set_optimizer_state_dict,
)
from torch.distributed.fsdp import fully_shard

FULL = StateDictOptions(full_state_dict=True, cpu_offload=True)  # gathered, on rank 0 only
FROM_RANK0 = StateDictOptions(full_state_dict=True, broadcast_from_rank0=True)


def sharded_adam(seed):
    model = make_model(seed)
    fully_shard(model)
    return model, torch.optim.Adam(model.parameters(), lr=0.01)


def checkpoint_worker(rank, folder):
    full_path, sharded_path = os.path.join(folder, "full.pt"), os.path.join(folder, "sharded")
    model, opt = sharded_adam(seed=0)
    train(model, opt, range(3), rank)

    # the full form: every rank calls, rank 0 gets the whole state, the others {}
    full = {"model": get_model_state_dict(model, options=FULL),
            "optim": get_optimizer_state_dict(model, opt, options=FULL)}
    if rank == 0:
        torch.save(full, full_path)
    # the sharded form: each rank's own shards, as DTensors; every rank writes its part
    sharded = {"model": get_model_state_dict(model), "optim": get_optimizer_state_dict(model, opt)}
    dcp.save(sharded, checkpoint_id=sharded_path)
    exp_avg = sharded["optim"]["state"]["0.weight"]["exp_avg"]
    local_shapes = gather(tuple(exp_avg.to_local().shape))
    full_on_rank = gather(full["optim"] if rank > 0 else None)
    if rank == 0:
        state = full["optim"]["state"]
        print("full, rank 0: state of", list(state), "| 0.weight:", list(state["0.weight"]),
              "| exp_avg:", type(state["0.weight"]["exp_avg"]).__name__, tuple(state["0.weight"]["exp_avg"].shape))
        print("full, rank 1:", full_on_rank[1])
        print("sharded: 0.weight's exp_avg:", type(exp_avg).__name__, tuple(exp_avg.shape),
              "| local:", " and ".join(map(str, local_shapes)))
        own = opt.state[model[0].weight]
        print("the optimizer's own tensor? full step:", state["0.weight"]["step"] is own["step"],
              "| full exp_avg:", state["0.weight"]["exp_avg"] is own["exp_avg"],
              "| sharded exp_avg:", exp_avg is own["exp_avg"])

    train(model, opt, [3], rank)  # the uninterrupted run's next step
    expected = [p.full_tensor() for p in model.parameters()]

    # resume from the full checkpoint: rank 0 reads the file and sends each rank its shards
    resumed, resumed_opt = sharded_adam(seed=1)  # other initial values, no state
    loaded = torch.load(full_path) if rank == 0 else {"model": {}, "optim": {}}
    set_model_state_dict(resumed, loaded["model"], options=FROM_RANK0)
    set_optimizer_state_dict(resumed, resumed_opt, loaded["optim"], options=FROM_RANK0)
    train(resumed, resumed_opt, [3], rank)
    from_full = [p.full_tensor() for p in resumed.parameters()]

    # resume from the sharded checkpoint: every rank reads its own shards
    resumed, resumed_opt = sharded_adam(seed=2)
    before = [p.to_local().clone() for p in resumed.parameters()]
    template = {"model": get_model_state_dict(resumed),
                "optim": get_optimizer_state_dict(resumed, resumed_opt)}  # what to load into
    fresh_step = resumed_opt.state[resumed[0].weight]["step"].item()
    unchanged = all(torch.equal(a, p.to_local()) for a, p in zip(before, resumed.parameters()))
    dcp.load(template, checkpoint_id=sharded_path)
    set_model_state_dict(resumed, template["model"])
    set_optimizer_state_dict(resumed, resumed_opt, template["optim"])
    train(resumed, resumed_opt, [3], rank)
    from_sharded = [p.full_tensor() for p in resumed.parameters()]

    if rank == 0:
        print("fresh optimizer, after get_optimizer_state_dict: step", fresh_step,
              "| parameters unchanged:", unchanged)
        print("next step, resumed from full:", difference(from_full, expected))
        print("next step, resumed from sharded:", difference(from_sharded, expected))
        # the full checkpoint, read again, into a model that is not sharded, in one process
        checkpoint = torch.load(full_path)
        single = make_model(seed=3)
        single_opt = torch.optim.Adam(single.parameters(), lr=0.01)
        set_model_state_dict(single, checkpoint["model"])
        set_optimizer_state_dict(single, single_opt, checkpoint["optim"])
        single_state = single_opt.state_dict()["state"]
        print("in one process: state_dict() keys", list(single_state), "| exp_avg equal:",
              all(torch.equal(single_state[i]["exp_avg"], checkpoint["optim"]["state"][name]["exp_avg"])
                  for i, (name, _) in enumerate(single.named_parameters())))


if __name__ == "__main__":
    launch(checkpoint_worker)
# --8<-- [end:checkpoint]
