"""Torch building blocks shared by the deep families (lstm, gan)."""
