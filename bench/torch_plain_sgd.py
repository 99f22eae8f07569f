"""Issue 15's yardstick: 10,000 SGD steps of mazur_2_2_2 (η = 0.5) in plain PyTorch float64, as a
user would write the loop by hand: no torch.optim, `p -= lr * p.grad` under no_grad, every loss
recorded.  Compared with `hwsolve mazur_2_2_2 --train-steps 10000 --lr 0.5` (the default
table) by bench/train.py."""
import torch

x = torch.tensor([.05, .10], dtype=torch.float64)
y = torch.tensor([.01, .99], dtype=torch.float64)
b1 = torch.tensor(.35, dtype=torch.float64)
b2 = torch.tensor(.60, dtype=torch.float64)
W1 = torch.tensor([[.15, .20], [.25, .30]], dtype=torch.float64, requires_grad=True)
W2 = torch.tensor([[.40, .45], [.50, .55]], dtype=torch.float64, requires_grad=True)
lr = 0.5
losses = []
for _ in range(10000):
    L = 0.5 * ((torch.sigmoid(W2 @ torch.sigmoid(W1 @ x + b1) + b2) - y) ** 2).sum()
    losses.append(L.item())
    L.backward()
    with torch.no_grad():
        W1 -= lr * W1.grad
        W2 -= lr * W2.grad
        W1.grad = None
        W2.grad = None
L = 0.5 * ((torch.sigmoid(W2 @ torch.sigmoid(W1 @ x + b1) + b2) - y) ** 2).sum()
losses.append(L.item())
print(f"L: {losses[0]:.3g} -> {losses[-1]:.3g}; W1 = {W1.tolist()}; W2 = {W2.tolist()}")
