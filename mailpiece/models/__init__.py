"""The postage/damage CNN: torch modules, training and evaluation loops, checkpoints."""
