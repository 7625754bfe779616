"""Using the reference optimizers exactly like torch.optim."""

# --8<-- [start:import]
import torch

from reference_optim import SGD

w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
optimizer = SGD([w], lr=0.1)
(w**2).sum().backward()
optimizer.step()
print(w.detach())
# --8<-- [end:import]
