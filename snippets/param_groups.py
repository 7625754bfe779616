"""Parameter groups in practice: no weight decay for biases and norms, names, a slower backbone, the failures."""

# --8<-- [start:model]
# --8<-- [start:imports]
import torch
# --8<-- [end:imports]


class Backbone(torch.nn.Module):  # stands in for a pretrained network
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(10, 4)
        self.pos = torch.nn.Parameter(0.1 * torch.randn(3, 4))  # learned positions, in no layer
        self.norm = torch.nn.LayerNorm(4)
        self.proj = torch.nn.Linear(4, 4)

    def forward(self, tokens):  # tokens: (batch, 3) integers below 10
        return self.proj(self.norm(self.embed(tokens) + self.pos)).mean(dim=1)


class Classifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = Backbone()
        self.head = torch.nn.Linear(4, 2)  # the new output head

    def forward(self, tokens):
        return self.head(self.backbone(tokens))
# --8<-- [end:model]


# --8<-- [start:two_rules] setup: model
# --8<-- [start:rules] setup: model
def by_ndim(model, name, p):  # matrices and larger decay
    return p.ndim >= 2


def by_module_type(model, name, p):  # only the weights of Linear layers decay
    owner = model.get_submodule(name.rpartition(".")[0])  # "" gives the model itself
    return isinstance(owner, torch.nn.Linear) and name.endswith(".weight")
# --8<-- [end:rules]


torch.manual_seed(0)
model = Classifier()
print(f"{'name':22} {'shape':8} {'ndim >= 2':10} module type")
for name, p in model.named_parameters():
    rules = ["decay" if rule(model, name, p) else "no decay" for rule in (by_ndim, by_module_type)]
    print(f"{name:22} {str(tuple(p.shape)):8} {rules[0]:10} {rules[1]}")
print("BatchNorm1d(4):", [(name, tuple(p.shape)) for name, p in torch.nn.BatchNorm1d(4).named_parameters()])
# --8<-- [end:two_rules]

assert [by_ndim(model, n, p) == by_module_type(model, n, p) for n, p in model.named_parameters()] == [
    False, False, True, True, True, True, True, True]


# --8<-- [start:named_groups] setup: rules
# --8<-- [start:make_groups] setup: rules
def make_groups(model, decays, backbone_lr, head_lr, weight_decay):
    """Up to four groups: backbone or head, decayed or not; params as (name, tensor) pairs."""
    groups = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue  # frozen: leave it out
        part = "backbone" if name.startswith("backbone.") else "head"
        groups.setdefault((part, decays(model, name, p)), []).append((name, p))
    return [{"params": named,
             "lr": backbone_lr if part == "backbone" else head_lr,
             "weight_decay": weight_decay if decayed else 0.0}
            for (part, decayed), named in groups.items()]
# --8<-- [end:make_groups]


torch.manual_seed(0)
model = Classifier()
optimizer = torch.optim.AdamW(make_groups(model, by_ndim, backbone_lr=1e-3, head_lr=1e-2,
                                          weight_decay=0.1))
for i, group in enumerate(optimizer.param_groups):
    print(f"group {i}: lr {group['lr']}, weight_decay {group['weight_decay']}, {group['param_names']}")

saved = optimizer.state_dict()["param_groups"][0]
print("state_dict(), group 0:", {key: saved[key] for key in ("lr", "weight_decay", "params", "param_names")})

try:
    optimizer.add_param_group({"params": [torch.nn.Parameter(torch.zeros(2))]})
except ValueError as error:
    print("add_param_group without names:", error)
# --8<-- [end:named_groups]

assert [len(group["params"]) for group in optimizer.param_groups] == [3, 3, 1, 1]


# --8<-- [start:zero_grad_proof] setup: make_groups
torch.manual_seed(0)
model = Classifier()
optimizer = torch.optim.AdamW(make_groups(model, by_ndim, backbone_lr=1e-3, head_lr=1e-2,
                                          weight_decay=0.1))
before = {name: p.detach().clone() for name, p in model.named_parameters()}
for p in model.parameters():
    p.grad = torch.zeros_like(p)  # zeros, not None (step() skips None): only the decay can move it
optimizer.step()

print(f"{'name':22} {'lr':6} {'wd':4} {'1 - lr*wd':10} after == before * (1 - lr*wd)  unchanged")
for group in optimizer.param_groups:
    lr, wd = group["lr"], group["weight_decay"]
    for name, p in zip(group["param_names"], group["params"]):
        shrunk = torch.equal(p, before[name] * (1 - lr * wd))
        print(f"{name:22} {lr:<6} {wd:<4} {1 - lr * wd:<10.6f} {str(shrunk):30} {torch.equal(p, before[name])}")
# --8<-- [end:zero_grad_proof]

for group in optimizer.param_groups:
    for name, p in zip(group["param_names"], group["params"]):
        assert torch.equal(p, before[name] * (1 - group["lr"] * group["weight_decay"]))
        assert torch.equal(p, before[name]) == (group["weight_decay"] == 0)


# --8<-- [start:scheduler] setup: make_groups
torch.manual_seed(0)
model = Classifier()


def new_optimizer():  # new groups each time: the optimizer keeps and changes the dicts it is given
    return torch.optim.AdamW(make_groups(model, by_ndim, backbone_lr=1e-3, head_lr=1e-2,
                                         weight_decay=0.1))


def lrs(optimizer):  # group 0 is in the backbone, group 2 in the head
    backbone, head = optimizer.param_groups[0]["lr"], optimizer.param_groups[2]["lr"]
    return f"backbone {backbone:.2e}  head {head:.2e}  head / backbone {head / backbone:.1f}"


optimizer = new_optimizer()
warmup = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / 3))
for step in range(4):
    print(f"warmup, step {step}:              {lrs(optimizer)}")
    optimizer.step()  # no gradients here: nothing moves, only the schedule advances
    warmup.step()

optimizer = new_optimizer()
torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2, total_steps=10)
print(f"OneCycleLR(max_lr=1e-2):         {lrs(optimizer)}")

optimizer = new_optimizer()
max_lrs = [group["lr"] for group in optimizer.param_groups]
torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lrs, total_steps=10)
print(f"OneCycleLR(max_lr=each group's): {lrs(optimizer)}")
# --8<-- [end:scheduler]


# --8<-- [start:load_checks] setup: make_groups
torch.manual_seed(0)
model = Classifier()
tokens, target = torch.randint(0, 10, (8, 3)), torch.randint(0, 2, (8,))
optimizer = torch.optim.AdamW(make_groups(model, by_ndim, 1e-3, 1e-2, 0.1))
torch.nn.functional.cross_entropy(model(tokens), target).backward()
optimizer.step()
checkpoint = optimizer.state_dict()

# 1. Groups built by the other rule: other sizes.
other_rule = torch.optim.AdamW(make_groups(model, by_module_type, 1e-3, 1e-2, 0.1))
try:
    other_rule.load_state_dict(checkpoint)
except ValueError as error:
    print("another rule:", error)


# 2. The same groups, each sorted by name: the same sizes, another order.
def sorted_groups():
    groups = make_groups(model, by_ndim, 1e-3, 1e-2, 0.1)
    for group in groups:
        group["params"].sort(key=lambda named: named[0])
    return groups


resumed = torch.optim.AdamW(sorted_groups())
print("sorted by name, group 1 holds:", resumed.param_groups[1]["param_names"])
resumed.load_state_dict(checkpoint)
print("loaded with no error, now named:", resumed.param_groups[1]["param_names"])
norm = model.backbone.norm
print("norm.weight got the state saved for norm.bias:", torch.equal(
    resumed.state[norm.weight]["exp_avg"], optimizer.state[norm.bias]["exp_avg"]))
print("embed.weight", tuple(model.backbone.embed.weight.shape), "got a state of shape",
      tuple(resumed.state[model.backbone.embed.weight]["exp_avg"].shape))
torch.nn.functional.cross_entropy(model(tokens), target).backward()
try:
    resumed.step()
except RuntimeError as error:
    print("next step():", error)


def check_names(optimizer, checkpoint):  # call it before load_state_dict()
    for i, (group, saved) in enumerate(zip(optimizer.param_groups, checkpoint["param_groups"])):
        if group["param_names"] != saved["param_names"]:
            raise ValueError(f"group {i} holds {group['param_names']}, saved {saved['param_names']}")


try:
    check_names(torch.optim.AdamW(sorted_groups()), checkpoint)
except ValueError as error:
    print("check_names:", error)
# --8<-- [end:load_checks]


# --8<-- [start:two_groups] setup: imports
class TiedLM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(5, 4)
        self.out = torch.nn.Linear(4, 5, bias=False)
        self.out.weight = self.embed.weight  # tied: one tensor, two layers


model = TiedLM()
print("named_parameters():", [name for name, _ in model.named_parameters()])

decay, no_decay = [], []  # by module type, walking every layer's own parameters
for module_name, module in model.named_modules():
    for name, p in module.named_parameters(recurse=False):
        is_linear_weight = isinstance(module, torch.nn.Linear) and name == "weight"
        (decay if is_linear_weight else no_decay).append((f"{module_name}.{name}", p))
print("decay:", [n for n, _ in decay], " no decay:", [n for n, _ in no_decay])
shared = {id(p) for _, p in decay} & {id(p) for _, p in no_decay}  # by identity, not by value
print("one tensor in both groups, as:", [n for n, p in decay + no_decay if id(p) in shared])
try:
    torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                       {"params": no_decay, "weight_decay": 0.0}])
except ValueError as error:
    print("ValueError:", error)
# --8<-- [end:two_groups]


# --8<-- [start:no_group] setup: model
# --8<-- [start:by_type_lists] setup: model
torch.manual_seed(0)
model = Classifier()
decay, no_decay = [], []  # each layer's own weight and bias, sorted by the layer's type
for module_name, module in model.named_modules():
    for name, p in module.named_parameters(recurse=False):
        full_name = f"{module_name}.{name}"
        if name == "bias" or isinstance(module, (torch.nn.LayerNorm, torch.nn.Embedding)):
            no_decay.append((full_name, p))
        elif isinstance(module, torch.nn.Linear):
            decay.append((full_name, p))
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                               {"params": no_decay, "weight_decay": 0.0}], lr=1e-2)
# --8<-- [end:by_type_lists]

tokens, target = torch.randint(0, 10, (8, 3)), torch.randint(0, 2, (8,))
before = {name: p.detach().clone() for name, p in model.named_parameters()}
for _ in range(3):
    optimizer.zero_grad()
    torch.nn.functional.cross_entropy(model(tokens), target).backward()
    optimizer.step()
moved = [name for name, p in model.named_parameters() if not torch.equal(p, before[name])]
print("moved:", len(moved), "of", len(before))
print("backbone.pos moved:", "backbone.pos" in moved, " its grad is None:", model.backbone.pos.grad is None)
# --8<-- [end:no_group]

assert "backbone.pos" not in moved and len(moved) == len(before) - 1


# --8<-- [start:check] setup: make_groups, by_type_lists
def check_groups(model, optimizer):
    """The trainable parameters in no group, and those held more than once, by name."""
    count = {}
    for group in optimizer.param_groups:
        for p in group["params"]:
            count[id(p)] = count.get(id(p), 0) + 1
    trainable = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    missing = [name for name, p in trainable if count.get(id(p), 0) == 0]
    repeated = [name for name, p in trainable if count.get(id(p), 0) > 1]
    return missing, repeated


missing, repeated = check_groups(model, optimizer)
print("by layer type: in no group:", missing, " held twice:", repeated)
recipe = torch.optim.AdamW(make_groups(model, by_ndim, 1e-3, 1e-2, 0.1))
missing, repeated = check_groups(model, recipe)
print("make_groups(): in no group:", missing, " held twice:", repeated)
# --8<-- [end:check]

assert check_groups(model, recipe) == ([], [])
assert check_groups(model, optimizer) == (["backbone.pos"], [])
