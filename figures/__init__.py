"""The site's figures: data computed by torch.optim at build time (data.py), drawn as inline SVG
by a small writer of our own (svg.py), with their texts in both languages (catalog.py).
hooks/torch_figures.py puts them into the pages."""
